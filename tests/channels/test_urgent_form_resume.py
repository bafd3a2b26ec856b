"""An urgent need in the middle of a report, and what the resident does after it: the
urgent help first, an urgent ticket, the report kept but not sent; after the handoff ends
("cancel" or an advisor handing back), asking again carries on where the report stopped,
and "cancel" instead deletes it. On the real stack (tests/channels/handoff_stack.py) in
each channel: REST, the web widget and SMS."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.content import get_content
from bot.db.models import ServiceRequest
from bot.db.session import session_scope
from tests.channels.handoff_cycle_support import (
    RestResident,
    SmsResident,
    WebResident,
    stack_with_an_advisor,
    tickets_of,
)
from tests.channels.handoff_stack import MODEL

pytestmark = [
    pytest.mark.model,
    pytest.mark.skipif(not MODEL.exists(), reason="needs the trained model"),
]

CONTENT = get_content()
CRISIS_HELP = CONTENT.render("urgent_crisis_self_harm").text
GAS_HELP = CONTENT.render("urgent_emergency_danger").text
KEPT_POTHOLE = CONTENT.text("form_paused_pothole_form")
RESUMED = CONTENT.text("form_resumed")
DROPPED = CONTENT.text("form_paused_dropped")
CANCELLED = CONTENT.text("handoff_cancelled")
HANDED_BACK = CONTENT.text("handoff_handed_back")
ASK_SIZE = "How big"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, _database_templates) -> Iterator:
    """The real servers on a copy of the demo council's database, with one advisor."""
    workdir = Path(tmp_path_factory.mktemp("urgent-resume"))
    with stack_with_an_advisor(workdir, _database_templates.sqlite_file("loaded")) as stack:
        yield stack


def potholes(engine) -> int:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        return len(
            session.scalars(
                select(ServiceRequest).where(ServiceRequest.reference.like("PH-%"))
            ).all()
        )


async def urgent_in_the_pothole_report(resident, stack, message: str, help_text: str) -> int:  # type: ignore[no-untyped-def]
    """Starts a pothole report, gives the place, then says `message`: the urgent help comes
    first, the report is kept (not sent), and an urgent ticket opens. Its id."""
    await resident.say("I want to report a pothole")
    asked = " ".join(await resident.say("outside 14 High Street"))
    assert ASK_SIZE in asked, asked
    replies = await resident.say(message)
    joined = "\n".join(replies)
    assert joined.startswith(help_text), replies
    assert KEPT_POTHOLE in joined
    [ticket] = tickets_of(stack.engine, resident.id)
    assert (ticket.priority, ticket.status) == ("urgent", "waiting")
    return int(ticket.id)


async def carries_on(resident, stack, before: int) -> None:  # type: ignore[no-untyped-def]
    """Asking for the report again carries on at the size: the place is not asked again;
    then the report completes and is sent once."""
    replies = " ".join(await resident.say("report a pothole"))
    assert RESUMED in replies and ASK_SIZE in replies, replies
    await resident.say("about the size of a dinner plate")
    summary = " ".join(await resident.say("it is deep and cars swerve round it"))
    assert "14 High Street" in summary, summary
    done = " ".join(await resident.say("yes"))
    assert "PH-" in done, done
    assert potholes(stack.engine) == before + 1


@asynccontextmanager
async def _resident(kind: str, stack) -> AsyncIterator:  # type: ignore[no-untyped-def]
    if kind == "web":
        async with WebResident(stack.base) as resident:
            yield resident
    else:
        yield {"rest": RestResident, "sms": SmsResident}[kind](stack.base)


@pytest.mark.parametrize("kind", ["rest", "web", "sms"])
async def test_after_cancelling_the_urgent_handoff_the_report_carries_on(stack, kind: str):
    async with _resident(kind, stack) as resident:
        before = potholes(stack.engine)
        await urgent_in_the_pothole_report(
            resident, stack, "honestly i cant cope anymore and want to end it all", CRISIS_HELP
        )
        assert potholes(stack.engine) == before, "nothing is sent while it is paused"
        assert CANCELLED in " ".join(await resident.say("cancel"))
        await carries_on(resident, stack, before)


async def test_after_an_advisor_hands_back_the_report_carries_on(stack):
    resident = RestResident(stack.base)
    before = potholes(stack.engine)
    ticket = await urgent_in_the_pothole_report(
        resident, stack, "I can smell gas in the street", GAS_HELP
    )
    stack.ann.claim_and_resolve(ticket)
    await resident.wait_for(HANDED_BACK)
    await carries_on(resident, stack, before)


async def test_cancel_after_the_handoff_deletes_the_kept_report(stack):
    resident = RestResident(stack.base)
    before = potholes(stack.engine)
    await urgent_in_the_pothole_report(resident, stack, "I can smell gas in the street", GAS_HELP)
    await resident.say("cancel")  # leaves the queue
    assert DROPPED in " ".join(await resident.say("cancel"))  # then the kept report
    # Asked again, the report starts from the beginning.
    assert "Where is" in " ".join(await resident.say("report a pothole"))
    assert potholes(stack.engine) == before
