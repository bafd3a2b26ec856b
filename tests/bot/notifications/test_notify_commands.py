"""`python -m bot notify run-due` as cron or a systemd timer runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from bot.clock import LONDON
from bot.db import sms as sms_store
from bot.db.session import session_scope
from bot.privacy import hash_identifier
from bot.services.notification_subscriptions import subscribe

PROJECT_ROOT = Path(__file__).resolve().parents[3]
NUMBER = "+447700900321"

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _notify(engine: Engine, *args: str) -> subprocess.CompletedProcess[str]:
    url = engine.url.render_as_string(hide_password=False)
    env = {**os.environ, "DATABASE_URL": url, "SMS_PROVIDER": "outbox"}
    env.pop("ASSISTANT_FIXED_NOW", None)
    return subprocess.run(
        [sys.executable, "-m", "bot", "notify", "run-due", *args], cwd=PROJECT_ROOT, env=env,
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_run_due_sends_the_evening_reminder_once_however_often_it_runs(
    loaded_engine: Engine,
) -> None:
    with session_scope(loaded_engine) as session:
        subscribe(
            session,
            contact_kind="sms",
            contact=NUMBER,
            uprn="100090000001",
            channel="sms",
            wording="Bin-day texts.",
            now=datetime(2026, 11, 20, tzinfo=LONDON) - timedelta(days=1),
        )
    early = _notify(loaded_engine, "--at", "2026-11-29T17:55")
    assert early.returncode == 0, early.stderr
    assert "0 sent" in early.stdout
    first = _notify(loaded_engine, "--at", "2026-11-29T18:05")
    second = _notify(loaded_engine, "--at", "2026-11-29T18:10")
    assert "1 sent" in first.stdout and "0 sent" in second.stdout, first.stderr
    texts = sms_store.outbound_for(loaded_engine, hash_identifier(NUMBER))
    assert len(texts) == 1 and "Monday 30 November" in texts[0].body


def test_run_due_refuses_a_time_it_cannot_read(loaded_engine: Engine) -> None:
    result = _notify(loaded_engine, "--at", "tomorrow-ish")
    assert result.returncode == 2 and "Not a time" in result.stderr
