"""Settings read from the environment (bot/settings.py)."""

from __future__ import annotations

import pytest

from bot.settings import Settings


def test_an_action_server_call_waits_10_seconds_unless_told_otherwise(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.delenv("ACTION_SERVER_TIMEOUT_SECONDS", raising=False)
    assert Settings.from_env().action_server_timeout_seconds == 10.0
    monkeypatch.setenv("ACTION_SERVER_TIMEOUT_SECONDS", "2.5")
    assert Settings.from_env().action_server_timeout_seconds == 2.5
