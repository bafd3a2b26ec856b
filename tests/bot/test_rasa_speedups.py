"""The Rasa speed fixes keep Rasa's behaviour: same validation, same stored trackers."""

from __future__ import annotations

from pathlib import Path

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import text
from sqlalchemy.pool import QueuePool

import channels  # noqa: F401  (installs the fixes, as `rasa run` does)
from bot.rasa_speedups import install


def action() -> RemoteAction:
    return RemoteAction("action_bin_day", None)


def test_the_channels_package_installs_the_fixes() -> None:
    install()  # a second install changes nothing
    assert RemoteAction._validate_action_result.__module__ == "bot.rasa_speedups"


def test_a_valid_action_server_response_passes() -> None:
    response = {"events": [{"event": "slot", "name": "postcode", "value": "OB2 5JQ"}],
                "responses": [{"text": "Your bins..."}]}
    assert action()._validate_action_result(response) is True


def test_an_invalid_response_raises_rasas_error_with_its_advice() -> None:
    with pytest.raises(ValidationError) as raised:
        action()._validate_action_result({"events": "not a list"})
    assert "Failed to validate Action server response" in raised.value.message
    with pytest.raises(ValidationError):
        action()._validate_action_result({"events": [{"no_event_key": 1}]})


async def test_the_sqlite_tracker_store_is_pooled_in_wal_mode_and_round_trips(
    tmp_path: Path,
) -> None:
    store = SQLTrackerStore(db=str(tmp_path / "tracker.db"))
    assert isinstance(store.engine.pool, QueuePool)
    tracker = DialogueStateTracker("resident-1", [])
    tracker.update(UserUttered("when is my bin day"))
    tracker.update(ActionExecuted("action_listen"))
    await store.save(tracker)
    tracker.update(UserUttered("OB2 5JQ"))
    await store.save(tracker)
    again = await store.retrieve("resident-1")
    assert [e.text for e in again.events if isinstance(e, UserUttered)] == [
        "when is my bin day", "OB2 5JQ"]
    with store.session_scope() as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
