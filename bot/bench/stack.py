"""Start the whole assistant on loopback for benchmarks: a migrated SQLite database with
the demo council, the action server and `rasa run` with the web chat, SMS (outbox) and
REST channels, in subprocesses on free ports, with the clock fixed.

    with running_stack(workdir) as stack:
        stack.base_url, stack.action_url, stack.database_url, stack.pids()
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.demo_data import prepare_demo_database
from bot.endpoints import ACTION_SECRET_HEADER, tracker_store_config
from bot.rasa_api import api_flags, api_url, new_token

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "council.tar.gz"
RASA = Path(sys.executable).with_name("rasa")
# Wednesday 18 November 2026, as the end-to-end conversation tests use.
FIXED_NOW = "2026-11-18T08:30:00"
CREDENTIALS: dict[str, dict[str, str] | None] = {
    "rest": None,
    "channels.web.channel.WebChatInput": {},
    "channels.sms.channel.SmsInput": {},
}


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, process: subprocess.Popen, log: Path, seconds: float = 240) -> None:
    """Wait until `url` answers 2xx; raises if the process exits or time runs out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the server exited:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 300:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not come up in {seconds}s:\n{log.read_text()[-3000:]}")


@dataclass
class Stack:
    """The running servers and where they listen."""

    workdir: Path
    database_url: str
    tracker_database_url: str
    base_url: str
    action_url: str
    env: dict[str, str]
    api_token: str  # the Rasa API's token for this run (bot/rasa_api.py)
    rasa: subprocess.Popen
    actions: subprocess.Popen

    def pids(self) -> dict[str, int]:
        """Process ids by role: 'rasa' and 'actions'."""
        return {"rasa": self.rasa.pid, "actions": self.actions.pid}

    def endpoints_file(self) -> Path:
        return self.workdir / "endpoints.yml"


def stack_env(
    workdir: Path, action_port: int, extra: dict[str, str] | None = None
) -> dict[str, str]:
    """The environment both servers run with: the temp database, fixed clock, local cases."""
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'council.db'}",
        "TRACKER_DATABASE_URL": f"sqlite:///{workdir / 'tracker.db'}",
        "ASSISTANT_FIXED_NOW": FIXED_NOW,
        "CASE_SYSTEM": "local",
        "ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}/webhook",
        "RASA_TELEMETRY_ENABLED": "false",
        "SANIC_HOST": "127.0.0.1",  # the action server listens on loopback only
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "PYTHONPATH": str(ROOT),
        "ACTION_SERVER_SECRET": new_token(),  # as `make run`: calls carry it
        # The bench is one address playing many residents: no per-address widget limits.
        "WEBCHAT_CLIENT_MESSAGES_PER_MINUTE": "1000000",
        "WEBCHAT_CLIENT_SOCKETS": "100000",
        **(extra or {}),
    }


def stop_servers(*processes: subprocess.Popen, timeout: float = 30) -> None:
    """Ask every server to stop at once, wait for each, and kill one that does not stop."""
    running = [process for process in processes if process.poll() is None]
    for process in running:
        process.terminate()
    for process in running:
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextmanager
def running_stack(
    workdir: Path, model: Path = MODEL, extra_env: dict[str, str] | None = None
) -> Iterator[Stack]:
    """Start the database, the action server and `rasa run`; stop both servers on exit."""
    if not model.exists():
        raise FileNotFoundError(f"no trained model at {model}: run `make train`")
    action_port, rasa_port = free_port(), free_port()
    api_token = new_token()
    env = stack_env(workdir, action_port, extra_env)
    prepare_demo_database(env["DATABASE_URL"])
    endpoints = {
        "action_endpoint": {
            "url": env["ACTION_SERVER_URL"],
            "headers": {ACTION_SECRET_HEADER: "${ACTION_SERVER_SECRET}"},
        },
        "tracker_store": tracker_store_config(env["TRACKER_DATABASE_URL"]),
    }
    (workdir / "endpoints.yml").write_text(yaml.safe_dump(endpoints))
    (workdir / "credentials.yml").write_text(yaml.safe_dump(CREDENTIALS))
    action_log, rasa_log = workdir / "actions.log", workdir / "rasa.log"
    with action_log.open("wb") as action_out, rasa_log.open("wb") as rasa_out:
        actions = subprocess.Popen(
            [str(RASA), "run", "actions", "--actions", "actions", "--port", str(action_port)],
            cwd=ROOT,
            env=env,
            stdout=action_out,
            stderr=subprocess.STDOUT,
        )
        rasa = subprocess.Popen(
            [
                str(RASA),
                "run",
                "--model",
                str(model),
                "--endpoints",
                str(workdir / "endpoints.yml"),
                "--credentials",
                str(workdir / "credentials.yml"),
                "--port",
                str(rasa_port),
                "--interface",
                "127.0.0.1",
                *api_flags(api_token),
            ],
            cwd=ROOT,
            env=env,
            stdout=rasa_out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(f"http://127.0.0.1:{action_port}/health", actions, action_log)
        wait_for(api_url(f"http://127.0.0.1:{rasa_port}", "/status", api_token), rasa, rasa_log)
        yield Stack(
            workdir=workdir,
            database_url=env["DATABASE_URL"],
            tracker_database_url=env["TRACKER_DATABASE_URL"],
            base_url=f"http://127.0.0.1:{rasa_port}",
            action_url=env["ACTION_SERVER_URL"],
            env=env,
            api_token=api_token,
            rasa=rasa,
            actions=actions,
        )
    finally:
        stop_servers(rasa, actions)
