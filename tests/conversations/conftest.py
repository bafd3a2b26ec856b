"""Whole conversations against the real stack: the trained model in a real Rasa server,
the real action server and a real database with the demo data, over HTTP on loopback.

The Rasa server and the action server run as subprocesses started once per test session.
Tests need the trained model (`make train`); without it they are skipped, or fail in CI.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text

from bot.bench.stack import stop_servers
from bot.demo_data import prepare_demo_database
from tests import rasa_api

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "council.tar.gz"
RASA = Path(sys.executable).with_name("rasa")
# Wednesday 18 November 2026: the black bins of round TUE-B (OB2 5JQ) were due yesterday.
CONVERSATION_NOW = "2026-11-18T08:30:00"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, process: subprocess.Popen, log: Path, seconds: int = 240) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} server exited:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(url, timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not come up in {seconds}s:\n{log.read_text()[-3000:]}")


class Assistant:
    """Talk to the running assistant as a resident would, through the REST channel."""

    def __init__(self, base_url: str, database_url: str = "") -> None:
        self.base_url = base_url
        self.database_url = database_url  # the project's database the servers use

    def tickets(self, sender: str) -> list[tuple[str, str]]:
        """The conversation's handoff tickets in the database: (priority, topic) each."""
        engine = create_engine(self.database_url)
        try:
            with engine.connect() as connection:
                rows = connection.execute(
                    text(
                        "SELECT priority, topic FROM handoff_tickets "
                        "WHERE conversation_id = :c ORDER BY id"
                    ),
                    {"c": sender},
                ).all()
        finally:
            engine.dispose()
        return [(str(priority), str(topic)) for priority, topic in rows]

    def new_conversation(self) -> Conversation:
        return Conversation(self, f"rest:test-{uuid.uuid4().hex[:12]}")


class Conversation:
    def __init__(self, assistant: Assistant, sender: str) -> None:
        self.assistant = assistant
        self.sender = sender

    def say(self, text: str) -> list[dict]:
        response = requests.post(
            f"{self.assistant.base_url}/webhooks/rest/webhook",
            json={"sender": self.sender, "message": text},
            timeout=60,
        )
        response.raise_for_status()
        return response.json()

    def reply(self, text: str) -> str:
        """Everything the assistant answered, as one string."""
        return "\n".join(m.get("text", "") for m in self.say(text))

    def tracker(self) -> dict:
        response = requests.get(
            rasa_api.url(self.assistant.base_url, f"/conversations/{self.sender}/tracker"),
            timeout=30,
        )
        response.raise_for_status()
        return response.json()


@pytest.fixture(scope="session")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    if not MODEL.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"no trained model at {MODEL}: run `make train` first")
        pytest.skip(f"no trained model at {MODEL} (run `make train`)")
    workdir = tmp_path_factory.mktemp("stack")
    database_url = f"sqlite:///{workdir / 'council.db'}"
    prepare_demo_database(database_url)

    action_port, rasa_port = free_port(), free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "TRACKER_DATABASE_URL": f"sqlite:///{workdir / 'tracker.db'}",
        "ASSISTANT_FIXED_NOW": CONVERSATION_NOW,
        "CASE_SYSTEM": "local",
        "ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}/webhook",
        "RASA_TELEMETRY_ENABLED": "false",
        # As `make run`: the action server takes only calls carrying this secret.
        "ACTION_SERVER_SECRET": rasa_api.new_token(),
    }
    endpoints = workdir / "endpoints.yml"
    subprocess.run(
        [sys.executable, "-m", "bot.endpoints", str(endpoints)],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    credentials = workdir / "credentials.yml"
    credentials.write_text("rest:\n")
    action_log, rasa_log = workdir / "actions.log", workdir / "rasa.log"
    actions = subprocess.Popen(
        [str(RASA), "run", "actions", "--actions", "actions", "--port", str(action_port)],
        cwd=ROOT,
        env=env,
        stdout=action_log.open("w"),
        stderr=subprocess.STDOUT,
    )
    rasa = subprocess.Popen(
        [
            str(RASA),
            "run",
            "--model",
            str(MODEL),
            "--endpoints",
            str(endpoints),
            "--credentials",
            str(credentials),
            "--port",
            str(rasa_port),
            "--interface",
            "127.0.0.1",
            *rasa_api.FLAGS,
        ],
        cwd=ROOT,
        env=env,
        stdout=rasa_log.open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(f"http://127.0.0.1:{action_port}/health", actions, action_log)
        wait_for(rasa_api.url(f"http://127.0.0.1:{rasa_port}", "/status"), rasa, rasa_log)
        yield Assistant(f"http://127.0.0.1:{rasa_port}", database_url)
    finally:
        stop_servers(rasa, actions, timeout=20)


@pytest.fixture
def conversation(assistant: Assistant) -> Conversation:
    return assistant.new_conversation()
