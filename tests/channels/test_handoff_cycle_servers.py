"""The handoff cycle across two Rasa servers sharing PostgreSQL (tracker store, database and
LISTEN/NOTIFY bus), as a council runs them behind a load balancer: the resident's web chat
is held by one server, the advisor works on the other. An urgent message while waiting
raises the ticket for the advisor's server; the hand-back reaches the resident's server and
their next message is understood as before."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.clock import now
from bot.content import get_content
from bot.db.session import session_scope
from bot.web.auth import create_staff
from tests.channels.handoff_cycle_support import Advisor, WebResident, tickets_of
from tests.channels.handoff_stack import MODEL, STAFF_PASSWORD, handoff_stack

pytestmark = [
    pytest.mark.model,
    pytest.mark.skipif(not MODEL.exists(), reason="needs the trained model"),
]
CONTENT = get_content()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_urgent_while_waiting_and_the_turn_after_the_hand_back_across_two_servers(
    loaded_engine, database_url, tmp_path: Path
):
    with session_scope(loaded_engine) as session:
        create_staff(session, "ann", "advisor", STAFF_PASSWORD, now())
    with handoff_stack(tmp_path, database_url, servers=2, bus_url=database_url) as bases:
        ann = Advisor(bases[1], "ann")
        async with WebResident(bases[0]) as resident:
            replies = await resident.say("I want to speak to someone")
            assert any("in the queue" in r for r in replies), replies
            ticket = ann.open_ticket_of(resident.id)
            assert ticket["priority"] == "normal"

            replies = await resident.say("I have nowhere to sleep tonight")
            assert replies[0] == CONTENT.render("urgent_homelessness").as_text()
            assert ann.open_ticket_of(resident.id)["priority"] == "urgent"

            ann.post(f"/staff/api/tickets/{ticket['id']}/claim")
            await resident.wait_for("has joined the conversation")
            ann.post(f"/staff/api/tickets/{ticket['id']}/resolve", {"outcome": "answered"})
            await resident.wait_for(CONTENT.text("handoff_handed_back"))

            replies = await resident.say("when is my bin day")
            assert CONTENT.text("ask_postcode") in replies, replies
            replies = await resident.say("OB2 5JQ")
            assert any("house number or name" in r for r in replies), replies
    assert [t.status for t in tickets_of(loaded_engine, resident.id)] == ["resolved"]
