"""End to end with the trained model: a resident texts the SMS simulator to sign up for bin
reminders, gets the reminder when the job runs the evening before, lists and stops them;
a STOP ends everything. `rasa run` with the SMS channel, the reminder scheduler channel and
the action server, on loopback. Needs models/council.tar.gz (`make train`)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.bench.stack import stop_servers
from bot.db.notifications import NotificationConsent
from bot.db.session import make_engine, session_scope
from bot.demo_data import prepare_demo_database
from tests.channels.sms.sms_support import free_port
from tests.channels.sms.test_sms_with_model import MODEL, RASA, _get, _wait_until_up

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ANNA, BEN = "07700900411", "07700900412"

pytestmark = [
    pytest.mark.model,
    pytest.mark.skipif(not MODEL.exists(), reason="no trained model: run make train"),
]


class Stack:
    def __init__(self, base: str, database_url: str, env: dict[str, str]) -> None:
        self.base, self.database_url, self.env = base, database_url, env
        self.seen: dict[str, int] = {}

    def _inbox(self, number: str) -> list[dict]:
        url = f"{self.base}/webhooks/sms/simulator/outbox?number={number}&after=0"
        return [m for m in _get(url)["messages"] if m["status"] in ("sent", "suppressed")]

    def text(self, number: str, body: str, settle: float = 1.5, wait: float = 60) -> str:
        """Text the assistant; returns every reply that arrived, joined."""
        import json
        import urllib.request

        after = self.seen.get(number, 0)
        request = urllib.request.Request(
            f"{self.base}/webhooks/sms/simulator",
            data=json.dumps({"from": number, "body": body}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 202
        return self.wait_for(number, after, settle, wait)

    def wait_for(self, number: str, after: int, settle: float = 1.5, wait: float = 60) -> str:
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            new = [m for m in self._inbox(number) if m["id"] > after]
            if new:
                time.sleep(settle)
                new = [m for m in self._inbox(number) if m["id"] > after]
                self.seen[number] = new[-1]["id"]
                return "\n".join(m["body"] for m in new)
            time.sleep(0.5)
        return ""

    def run_due(self, at: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "bot", "notify", "run-due", "--at", at],
            cwd=PROJECT_ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    folder = tmp_path_factory.mktemp("notify_e2e")
    database_url = f"sqlite:///{folder / 'council.db'}"
    prepare_demo_database(database_url)
    rasa_port, action_port = free_port(), free_port()
    (folder / "endpoints.yml").write_text(
        f"action_endpoint:\n  url: http://127.0.0.1:{action_port}/webhook\n"
    )
    (folder / "credentials.yml").write_text(
        "channels.sms.channel.SmsInput:\n  provider: outbox\n"
        "channels.notifications.NotificationScheduler:\n  interval_seconds: 3600\n"
    )
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SMS_PROVIDER": "outbox",
        "ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}/webhook",
        "ASSISTANT_FIXED_NOW": "2026-11-24T10:00:00",
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "3",
    }
    logs = [open(folder / "actions.log", "wb"), open(folder / "rasa.log", "wb")]  # noqa: SIM115
    actions = subprocess.Popen(
        [str(RASA), "run", "actions", "--actions", "actions", "--port", str(action_port)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=logs[0],
        stderr=subprocess.STDOUT,
    )
    rasa = subprocess.Popen(
        [
            str(RASA),
            "run",
            "--model",
            str(MODEL),
            "--endpoints",
            str(folder / "endpoints.yml"),
            "--credentials",
            str(folder / "credentials.yml"),
            "--port",
            str(rasa_port),
            "--interface",
            "127.0.0.1",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=logs[1],
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{rasa_port}"
    try:
        _wait_until_up(f"http://127.0.0.1:{action_port}/health", actions)
        _wait_until_up(f"{base}/", rasa)
        yield Stack(
            base, database_url, {k: v for k, v in env.items() if k != "ASSISTANT_FIXED_NOW"}
        )
    finally:
        stop_servers(rasa, actions)
        for log in logs:
            log.close()


def _sign_up(stack: Stack, number: str) -> None:
    asked = stack.text(number, "can you text me the night before bin day")
    assert "postcode" in asked, asked
    asked = stack.text(number, "OB1 1AA")
    assert "house number" in asked, asked
    consent = stack.text(number, "1")
    assert "1 Abbey Road" in consent and "STOP" in consent, consent
    assert "Do you want these texts?" in consent
    done = stack.text(number, "yes")
    assert "bin-day texts are on" in done, done


def test_sign_up_by_text_reminder_list_and_stop(stack: Stack) -> None:
    assert _get(f"{stack.base}/webhooks/notifications/health")["passes"] >= 1
    _sign_up(stack, ANNA)
    _sign_up(stack, BEN)
    assert "2 sent" in stack.run_due("2026-11-29T18:00")
    reminder = stack.wait_for(ANNA, 0)
    assert "Monday 30 November" in reminder and "green wheelie bin" in reminder, reminder

    listed = stack.text(ANNA, "what reminders do I have")
    assert "1 Abbey Road" in listed, listed
    stopped = stack.text(BEN, "stop my bin reminders")
    assert "stopped" in stopped, stopped
    assert "no more texts" in stack.text(ANNA, "STOP")

    report = stack.run_due("2026-12-06T18:00")
    assert "0 sent" in report, report
    assert stack.wait_for(ANNA, stack.seen[ANNA], wait=3) == ""
    assert stack.wait_for(BEN, stack.seen[BEN], wait=3) == ""
    engine = make_engine(stack.database_url)
    try:
        with session_scope(engine) as session:
            how = session.scalars(
                select(NotificationConsent.withdrawn_how).order_by(NotificationConsent.id)
            ).all()
    finally:
        engine.dispose()
    assert how == ["sms_stop", "conversation"]
