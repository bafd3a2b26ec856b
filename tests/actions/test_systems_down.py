"""When the database or case system is down the resident is told plainly and handed to a person."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.bins import ActionTellBinDay
from actions.status import ActionCheckStatus
from tests.actions.conftest import clear_caches, form_tracker, slot_events, texts

# Nothing listens on port 1: every connection is refused at once.
UNREACHABLE = "postgresql+psycopg2://council@127.0.0.1:1/council"


@pytest.fixture
def database_down(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("DATABASE_URL", UNREACHABLE)
    monkeypatch.setenv("CASE_SYSTEM", "local")
    clear_caches()
    yield
    clear_caches()


def handed_over(events) -> bool:
    return {"event": "followup", "name": "action_handoff"} in [
        {"event": e["event"], "name": e.get("name")} for e in events
    ]


@pytest.mark.parametrize(
    ("action", "slots"),
    [
        (ActionTellBinDay(), {"postcode": "OB2 5JQ", "address_uprn": "100090000120"}),
        (ActionCheckStatus(), {"reference": "PH-473263"}),
    ],
)
async def test_a_look_up_with_the_database_down_says_so_and_hands_over(
    database_down, domain, action, slots
):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, form_tracker(None, slots), domain)
    assert "can't reach our systems" in texts(dispatcher)[0]
    assert slot_events(events)["handoff_reason"] == "system_down"
    assert handed_over(events)
