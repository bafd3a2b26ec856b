"""The queue's pages, used without JavaScript: list, claim, transcript, reply, note, resolve,
reassign; and the events each action sends to the resident over the bus."""

import asyncio
import re

from sqlalchemy import select
from staff_browser import open_ticket

from bot.db.handoff import AuditEntry, HandoffTicket
from bot.db.session import session_scope


async def collect(bus, topic="resident.web") -> list[dict]:
    received: list[dict] = []

    async def handler(payload):
        received.append(payload)

    await bus.subscribe(topic, handler)
    return received


async def signed_in(browser, name):
    client = browser()
    assert (await client.sign_in(name)).status == 303
    return client


async def test_queue_lists_urgent_first_with_channel_topic_reason_and_wait(
    browser, migrated_engine, accounts
):
    open_ticket(migrated_engine, "c-normal", "council_tax_pay")
    open_ticket(migrated_engine, "c-urgent", "homelessness", channel="sms")
    ann = await signed_in(browser, "ann")
    page = (await ann.get("/staff/queue")).text
    assert "<caption>" in page
    rows = re.findall(r'<tr id="ticket-\d+">\s*<td(.*?)</tr>', page, re.S)
    # In staff wording from content/messages/staff.yml, never the code names.
    assert "Urgent" in rows[0] and "Homelessness" in rows[0] and "Text message (SMS)" in rows[0]
    assert "Paying council tax" in rows[1] and "asked for a person" in rows[1]
    assert "council_tax_pay" not in page and ">sms<" not in page
    assert "less than a minute" in rows[1]


async def test_claim_then_reply_reaches_the_resident(browser, migrated_engine, accounts, bus):
    received = await collect(bus)
    ticket = open_ticket(migrated_engine, "conv-42")
    ann = await signed_in(browser, "ann")
    response = await ann.post(f"/staff/tickets/{ticket}/claim")
    assert response.status == 303 and response.headers["location"] == f"/staff/tickets/{ticket}"
    assert received[0]["kind"] == "agent_joined"
    assert received[0]["conversation_id"] == "conv-42"
    response = await ann.post(f"/staff/tickets/{ticket}/reply", {"text": "Hello, I'm Ann."})
    assert response.status == 303
    assert received[-1] == {
        "conversation_id": "conv-42",
        "kind": "staff_reply",
        "text": "Hello, I'm Ann.",
    }


async def test_the_ticket_page_shows_the_whole_transcript_with_intents(
    browser, migrated_engine, accounts
):
    ticket = open_ticket(migrated_engine)
    ann = await signed_in(browser, "ann")
    await ann.post(f"/staff/tickets/{ticket}/claim")
    await ann.post(f"/staff/tickets/{ticket}/note", {"text": "Called back <b>twice</b>"})
    page = (await ann.get(f"/staff/tickets/{ticket}")).text
    assert "Can I pay my council tax late?" in page
    assert "You can pay online." in page  # the bot's turn
    assert "Detected intent: Paying council tax" in page  # staff wording, not council_tax_pay
    assert "Detected intent: Asked for a person" in page
    assert "Internal note by ann" in page
    assert "&lt;b&gt;twice&lt;/b&gt;" in page  # escaped, never markup
    assert '<label for="reply">' in page


async def test_a_second_advisor_cannot_claim_a_claimed_ticket(browser, migrated_engine, accounts):
    ticket = open_ticket(migrated_engine)
    ann, bob = await signed_in(browser, "ann"), await signed_in(browser, "bob")
    await ann.post(f"/staff/tickets/{ticket}/claim")
    response = await bob.post(f"/staff/tickets/{ticket}/claim")
    assert response.status == 409
    assert "Someone else has already claimed this ticket." in response.text
    # Bob no longer sees Ann's ticket, nor may he open it.
    assert f"/staff/tickets/{ticket}" not in (await bob.get("/staff/queue")).text
    assert (await bob.get(f"/staff/tickets/{ticket}")).status == 403


async def test_two_advisors_claiming_at_the_same_moment_one_wins(
    browser, migrated_engine, accounts
):
    for round_number in range(3):
        ticket = open_ticket(migrated_engine, f"race-{round_number}")
        ann, bob = await signed_in(browser, "ann"), await signed_in(browser, "bob")
        responses = await asyncio.gather(
            ann.api("POST", f"/staff/api/tickets/{ticket}/claim"),
            bob.api("POST", f"/staff/api/tickets/{ticket}/claim"),
        )
        assert sorted(r.status for r in responses) == [200, 409]
        with session_scope(migrated_engine) as session:
            claims = session.execute(
                select(AuditEntry).where(
                    AuditEntry.ticket_id == ticket, AuditEntry.action == "claim"
                )
            ).all()
            assert len(claims) == 1


async def test_an_empty_reply_is_refused_with_the_form_again(browser, migrated_engine, accounts):
    ticket = open_ticket(migrated_engine)
    ann = await signed_in(browser, "ann")
    await ann.post(f"/staff/tickets/{ticket}/claim")
    response = await ann.post(f"/staff/tickets/{ticket}/reply", {"text": "   "})
    assert response.status == 400
    assert "There is a problem" in response.text and "Reply is empty." in response.text


async def test_resolve_records_the_outcome_and_hands_back(browser, migrated_engine, accounts, bus):
    received = await collect(bus)
    ticket = open_ticket(migrated_engine)
    ann = await signed_in(browser, "ann")
    await ann.post(f"/staff/tickets/{ticket}/claim")
    response = await ann.post(f"/staff/tickets/{ticket}/resolve", {"outcome": "answered"})
    assert response.status == 303
    assert received[-1]["kind"] == "handed_back"
    with session_scope(migrated_engine) as session:
        saved = session.get(HandoffTicket, ticket)
        assert (saved.status, saved.outcome) == ("resolved", "answered")
    assert "No one is waiting." in (await ann.get("/staff/queue?notice=resolved")).text


async def test_supervisors_see_every_ticket_and_reassign(browser, migrated_engine, accounts):
    ticket = open_ticket(migrated_engine)
    ann, sue = await signed_in(browser, "ann"), await signed_in(browser, "sue")
    await ann.post(f"/staff/tickets/{ticket}/claim")
    page = (await sue.get(f"/staff/tickets/{ticket}")).text
    assert "Give this ticket to" in page
    response = await sue.post(
        f"/staff/tickets/{ticket}/reassign", {"staff_id": str(accounts["bob"])}
    )
    assert response.status == 303
    bob = await signed_in(browser, "bob")
    assert (await bob.get(f"/staff/tickets/{ticket}")).status == 200
    assert (await ann.get(f"/staff/tickets/{ticket}")).status == 403


async def test_advisors_cannot_reassign(browser, migrated_engine, accounts):
    ticket = open_ticket(migrated_engine)
    ann = await signed_in(browser, "ann")
    await ann.post(f"/staff/tickets/{ticket}/claim")
    response = await ann.post(
        f"/staff/tickets/{ticket}/reassign", {"staff_id": str(accounts["bob"])}
    )
    assert response.status == 403


async def test_claiming_tells_waiting_residents_their_new_place(
    browser, migrated_engine, accounts, bus
):
    first = open_ticket(migrated_engine, "first")
    open_ticket(migrated_engine, "second")
    received = await collect(bus)
    ann = await signed_in(browser, "ann")
    await ann.post(f"/staff/tickets/{first}/claim")
    updates = [r for r in received if r["kind"] == "queue_update"]
    assert updates == [
        {
            "conversation_id": "second",
            "kind": "queue_update",
            "text": "You're now number 1 in the queue.",
        }
    ]


async def test_every_action_is_in_the_audit_log(browser, migrated_engine, accounts):
    ticket = open_ticket(migrated_engine)
    ann = await signed_in(browser, "ann")
    await ann.post(f"/staff/tickets/{ticket}/claim")
    await ann.get(f"/staff/tickets/{ticket}")
    await ann.post(f"/staff/tickets/{ticket}/reply", {"text": "Hi"})
    await ann.post(f"/staff/tickets/{ticket}/note", {"text": "Note"})
    await ann.post(f"/staff/tickets/{ticket}/resolve", {"outcome": "no_response"})
    with session_scope(migrated_engine) as session:
        actions = session.execute(
            select(AuditEntry.action).where(AuditEntry.ticket_id == ticket).order_by(AuditEntry.id)
        ).scalars()
        assert [a for a in actions if a != "view"] == ["claim", "reply", "note", "resolve"]


async def test_closed_and_cancelled_tickets_are_readable_but_offer_no_actions(
    browser, migrated_engine, accounts
):
    from bot.clock import now
    from bot.services import handoff

    cancelled = open_ticket(migrated_engine, "c-cancelled", "safeguarding_concern")
    with session_scope(migrated_engine) as session:
        handoff.cancel_by_resident(session, "c-cancelled", now())
    resolved = open_ticket(migrated_engine, "c-resolved")
    ann, bob = await signed_in(browser, "ann"), await signed_in(browser, "bob")
    await ann.post(f"/staff/tickets/{resolved}/claim")
    await ann.post(f"/staff/tickets/{resolved}/resolve", {"outcome": "answered"})
    for ticket, status in ((cancelled, "cancelled by the resident"), (resolved, "resolved")):
        page = await bob.get(f"/staff/tickets/{ticket}")  # not bob's, and closed: read-only
        assert page.status == 200
        assert f"This ticket is {status}. You can read it, but not reply or change it." in page.text
        for action in ("claim", "reply", "note", "resolve"):
            assert f"/staff/tickets/{ticket}/{action}" not in page.text
    page = (await bob.get(f"/staff/tickets/{cancelled}")).text
    assert f"Ticket {cancelled}: Safeguarding concern" in page
    resolved_page = (await bob.get(f"/staff/tickets/{resolved}")).text
    assert "Resolved (ann): Answered" in resolved_page
    assert "Event: Handed back to the assistant" in resolved_page
    assert "handed_back" not in resolved_page
    # Reading is allowed; changing is still refused, by the server as well as the page.
    assert (await bob.post(f"/staff/tickets/{resolved}/note", {"text": "mine now"})).status == 403
    refused = await ann.post(f"/staff/tickets/{cancelled}/reply", {"text": "Hello?"})
    assert refused.status in (403, 409)


async def test_reply_and_note_go_back_to_their_own_form(browser, migrated_engine, accounts):
    ticket = open_ticket(migrated_engine)
    ann = await signed_in(browser, "ann")
    await ann.post(f"/staff/tickets/{ticket}/claim")
    reply = await ann.post(f"/staff/tickets/{ticket}/reply", {"text": "On it."})
    assert reply.headers["location"] == f"/staff/tickets/{ticket}#reply-form"
    note = await ann.post(f"/staff/tickets/{ticket}/note", {"text": "Rang back."})
    assert note.headers["location"] == f"/staff/tickets/{ticket}#note-form"
    page = (await ann.get(f"/staff/tickets/{ticket}")).text
    assert 'id="reply-form"' in page and 'id="note-form"' in page
