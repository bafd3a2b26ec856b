"""The whole handoff cycle on the real stack, and the turn after it, in every channel.

A resident asks for a person, the ticket opens, and it ends each way it can: the resident
sends "cancel", the widget's "End chat", an advisor resolves it in the staff queue, or it is
closed without a word to the relay. The resident's next message must be understood as if
there had been no handoff: "when is my bin day" gets the bin-day form's postcode question,
the postcode is taken, and no new ticket opens. One stack (action server, Rasa server with
the trained model, REST, web chat, SMS outbox and staff queue, SQLite with the demo
council) serves every test in this module; each test is its own conversation.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from bot.clock import now
from bot.content import get_content
from bot.db.session import make_engine, session_scope
from bot.web.auth import create_staff
from tests.channels.handoff_cycle_support import (
    Advisor,
    RestResident,
    SmsResident,
    WebResident,
    tickets_of,
    tracker_events,
)
from tests.channels.handoff_stack import MODEL, STAFF_PASSWORD, handoff_stack

pytestmark = [pytest.mark.model, pytest.mark.skipif(not MODEL.exists(),
                                                    reason="needs the trained model")]

CONTENT = get_content()
ASK_POSTCODE = CONTENT.text("ask_postcode")
IN_QUEUE = "in the queue"
CANCELLED = CONTENT.text("handoff_cancelled")
HANDED_BACK = CONTENT.text("handoff_handed_back")
NOT_SURE = CONTENT.text("fallback_rephrase")
GIVE_UP = CONTENT.text("fallback_give_up")
# OB2 5JQ has several addresses: the form's next question is which one.
ADDRESS_QUESTION = "What's the house number or name?"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, _database_templates) -> Iterator:
    """The real servers on a copy of the demo council's database, with one advisor."""
    workdir = tmp_path_factory.mktemp("handoff-cycle")
    path = workdir / "council.db"
    shutil.copyfile(_database_templates.sqlite_file("loaded"), path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    with session_scope(engine) as session:
        create_staff(session, "ann", "advisor", STAFF_PASSWORD, now())
    try:
        with handoff_stack(Path(workdir), url) as [base]:
            yield SimpleNamespace(base=base, engine=engine, ann=Advisor(base, "ann"))
    finally:
        engine.dispose()


def assert_understood_as_before(replies: list[str]) -> None:
    """The bin-day form asked for the postcode, and nothing was misunderstood."""
    assert ASK_POSTCODE in replies, replies
    assert NOT_SURE not in replies and GIVE_UP not in replies, replies


async def hand_over(resident) -> int:  # type: ignore[no-untyped-def]
    replies = await resident.say("I want to speak to someone")
    assert any(IN_QUEUE in r for r in replies), replies
    return 0


async def test_rest_resident_who_cancels_the_handoff_gets_the_bin_day_form_next(stack):
    resident = RestResident(stack.base)
    await hand_over(resident)
    assert await resident.say("cancel") == [CANCELLED]
    replies = await resident.say("when is my bin day")
    print(tracker_events(stack.base, resident.id))
    assert_understood_as_before(replies)
    assert ADDRESS_QUESTION in " ".join(await resident.say("OB2 5JQ"))
    assert [t.status for t in tickets_of(stack.engine, resident.id)] == ["cancelled"]


async def test_rest_resident_handed_back_by_staff_gets_the_bin_day_form_next(stack):
    resident = RestResident(stack.base)
    await hand_over(resident)
    ticket = stack.ann.open_ticket_of(resident.id)
    stack.ann.claim_and_resolve(ticket["id"])
    await resident.wait_for(HANDED_BACK)
    replies = await resident.say("when is my bin day")
    print(tracker_events(stack.base, resident.id))
    assert_understood_as_before(replies)
    assert ADDRESS_QUESTION in " ".join(await resident.say("OB2 5JQ"))
    assert [t.status for t in tickets_of(stack.engine, resident.id)] == ["resolved"]
