"""Real Rasa and action servers started for the security tests, as `make run` starts them.

`rasa run` stops at once without a model unless its API is on, so the servers load the
trained model (models/council.tar.gz); the tests that need one skip without it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.bench.stack import stop_servers
from tests.channels.web.conftest import PROJECT_ROOT, free_port, wait_for_http

RASA = str(PROJECT_ROOT / ".venv" / "bin" / "rasa")
SHIPPED_CREDENTIALS = yaml.safe_load((PROJECT_ROOT / "credentials.yml").read_text())


@dataclass
class Server:
    base: str
    process: subprocess.Popen[bytes]
    log: Path


def server_env(workdir: Path, database_file: Path, **extra: str) -> dict[str, str]:
    """A server's environment: its own copy of a prepared SQLite database, no API token."""
    database = workdir / "council.db"
    shutil.copyfile(database_file, database)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("APP_ENV", "RASA_API_TOKEN", "ACTION_SERVER_SECRET")
    }
    return {
        **env,
        "PYTHONPATH": str(PROJECT_ROOT),
        "RASA_TELEMETRY_ENABLED": "false",
        "DATABASE_URL": f"sqlite:///{database}",
        "TRACKER_DATABASE_URL": f"sqlite:///{workdir / 'tracker.db'}",
        "STAFF_SECURE_COOKIES": "0",
        **extra,
    }


MODEL = PROJECT_ROOT / "models" / "council.tar.gz"


def rasa_command(workdir: Path, credentials: dict, *extra: str) -> list[str]:
    (workdir / "credentials.yml").write_text(yaml.safe_dump(credentials))
    return [
        RASA,
        "run",
        "-m",
        str(MODEL),
        "--credentials",
        str(workdir / "credentials.yml"),
        "--interface",
        "127.0.0.1",
        *extra,
    ]


@contextmanager
def rasa_server(
    workdir: Path, env: dict[str, str], credentials: dict, *extra: str
) -> Iterator[Server]:
    """`rasa run` with these channels and arguments; yields it once `/` answers."""
    port = free_port()
    log = workdir / f"rasa-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*rasa_command(workdir, credentials, *extra), "--port", str(port)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/", process, timeout=180)
        yield Server(f"http://127.0.0.1:{port}", process, log)
    finally:
        stop_servers(process, timeout=20)


@contextmanager
def action_server(workdir: Path, env: dict[str, str]) -> Iterator[Server]:
    """`rasa run actions` on loopback; yields it once /health answers."""
    port = free_port()
    log = workdir / f"actions-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [RASA, "run", "actions", "--actions", "actions", "--port", str(port)],
            cwd=PROJECT_ROOT,
            env={**env, "SANIC_HOST": "127.0.0.1"},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/health", process, timeout=180)
        yield Server(f"http://127.0.0.1:{port}", process, log)
    finally:
        stop_servers(process, timeout=20)


def exits_with(command: list[str], env: dict[str, str], timeout: float = 180) -> tuple[int, str]:
    """Run a server that should refuse to start: its exit status and what it printed."""
    done = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, timeout=timeout)
    return done.returncode, (done.stdout + done.stderr).decode(errors="replace")
