"""Run actions for real: real rasa_sdk Tracker and CollectingDispatcher objects, the
project's real domain, and a real database (SQLite and PostgreSQL) with the demo data."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from rasa.shared.core.domain import Domain
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.engine import Engine

from bot.content import get_content
from bot.council import get_council
from bot.db.session import get_engine
from bot.settings import PROJECT_ROOT, get_settings

# A Tuesday: the demo round TUE-B (OB2 5JQ) has its black bin on 24 November 2026.
DEFAULT_NOW = "2026-11-24T10:00:00"


def clear_caches() -> None:
    for cached in (get_settings, get_engine, get_council, get_content):
        cached.cache_clear()


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    return Domain.load(str(PROJECT_ROOT / "domain")).as_dict()


@pytest.fixture
def assistant(loaded_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """Point the actions at the test database and stand the clock at DEFAULT_NOW."""
    monkeypatch.setenv("DATABASE_URL", loaded_engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("ASSISTANT_FIXED_NOW", DEFAULT_NOW)
    monkeypatch.setenv("CASE_SYSTEM", "local")
    clear_caches()
    yield loaded_engine
    get_engine().dispose()
    clear_caches()


def set_now(monkeypatch: pytest.MonkeyPatch, moment: str) -> None:
    monkeypatch.setenv("ASSISTANT_FIXED_NOW", moment)
    get_settings.cache_clear()


def form_tracker(
    form: str | None,
    slots: dict[str, Any],
    new_slots: dict[str, Any] | None = None,
    text: str = "",
    intent: str = "inform",
    entities: list[dict[str, Any]] | None = None,
    sender_id: str = "test-conversation",
    metadata: dict[str, Any] | None = None,
) -> Tracker:
    """A tracker part-way through `form`: `slots` were set before, `new_slots` were
    extracted from the latest user message (so the form's validation runs on them)."""
    new_slots = new_slots or {}
    events: list[dict[str, Any]] = [
        {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}},
    ]
    events += [{"event": "slot", "name": k, "value": v} for k, v in new_slots.items()]
    return Tracker(
        sender_id=sender_id,
        slots={**slots, **new_slots},
        latest_message={
            "text": text,
            "intent": {"name": intent, "confidence": 0.99},
            "entities": entities or [],
            "metadata": metadata or {},
        },
        events=events,
        paused=False,
        followup_action=None,
        active_loop={"name": form} if form else {},
        latest_action_name="action_listen",
    )


def texts(dispatcher: CollectingDispatcher) -> list[str]:
    return [m.get("text") or "" for m in dispatcher.messages]


def slot_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
