"""The resident's side of a handed-over conversation: staff events reach the web chat,
a text or the REST tracker once, are recorded in Rasa's tracker, and resident messages
reach the ticket. Real database, real staff operations, real bus and Rasa stores."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from types import SimpleNamespace
from typing import Any

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, ConversationPaused, UserUttered
from sqlalchemy import select

from bot.clients.sms.outbox import OutboxProvider
from bot.clients.sms.sender import SmsSender
from bot.content import get_content
from bot.db import sms as sms_store
from bot.db.handoff import HandoffTicket
from bot.db.session import session_scope
from bot.privacy import hash_identifier
from bot.services.handoff import TranscriptTurn, open_ticket
from bot.services.insight.erasure import erase, resident_keys
from bot.services.message_bus import InProcessBus
from bot.web import operations
from bot.web.auth import create_staff
from channels import handoff_relay
from channels.handoff_relay import HandoffRelay
from channels.web.connections import REGISTRY

T0 = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)
PHONE = "+447700900123"
SMS_CONVERSATION = sms_store.conversation_id(hash_identifier(PHONE))


def texted_us(engine) -> None:  # type: ignore[no-untyped-def]
    """The resident's text, claimed as the SMS channel claims it (which keeps the number
    for the conversation `sms:<hash>`)."""
    sms_store.claim_inbound(
        engine, sms_store.Inbound("outbox", "m-1", PHONE, "a person please"), hash_identifier(PHONE)
    )


class RecordingSocket:
    """Stands in for the resident's browser socket: keeps the frames it was sent."""

    def __init__(self) -> None:
        self.sent: list[dict] = []

    async def send(self, message: str) -> None:
        self.sent.append(json.loads(message))


def rasa_stores() -> SimpleNamespace:
    """What the relay uses of a Rasa agent: its (real, in-memory) tracker and lock stores."""
    return SimpleNamespace(
        tracker_store=InMemoryTrackerStore(Domain.empty()), lock_store=InMemoryLockStore()
    )


async def paused(agent: SimpleNamespace, sender_id: str) -> None:
    tracker = await agent.tracker_store.get_or_create_tracker(sender_id)
    tracker.update(UserUttered("a person please"))
    tracker.update(ConversationPaused())
    await agent.tracker_store.save(tracker)


async def bot_texts(agent: SimpleNamespace, sender_id: str) -> list[str]:
    tracker = await agent.tracker_store.retrieve(sender_id)
    return [e.text for e in tracker.events if isinstance(e, BotUttered)]


@pytest.fixture
async def desk(migrated_engine) -> Any:
    """An advisor, the staff operations, a bus and one relay on it (one server)."""
    bus, content = InProcessBus(), get_content()
    with session_scope(migrated_engine) as session:
        ann = create_staff(session, "ann", "advisor", "correct horse battery staple", T0)
        staff = operations.StaffUser(id=ann.id, username="ann", role="advisor")
    agent = rasa_stores()
    relay = HandoffRelay(migrated_engine, bus, content, agent=lambda: agent)
    relay.record_delay = 0
    await relay.start()
    handoff_relay.set_relay(relay)
    yield SimpleNamespace(
        engine=migrated_engine,
        bus=bus,
        relay=relay,
        agent=agent,
        staff=staff,
        content=content,
        queue=operations.Queue(engine=migrated_engine, bus=bus, content=content, clock=lambda: T0),
    )
    handoff_relay.set_relay(None)
    handoff_relay.register_sms_sender(None)


def ticket_for(engine, conversation_id: str, channel: str) -> int:
    with session_scope(engine) as session:
        ticket = open_ticket(
            session,
            conversation_id,
            channel,
            "council_tax_pay",
            "Asked for a person",
            None,
            [TranscriptTurn("resident", "a person please")],
            now=T0,
        )
        session.flush()
        return ticket.id


async def test_staff_join_reply_and_hand_back_reach_the_open_web_chat_and_the_tracker(desk):
    ticket = ticket_for(desk.engine, "web-1", "web")
    await paused(desk.agent, "web-1")
    socket = RecordingSocket()
    REGISTRY.add("web-1", socket)
    try:
        await operations.claim(desk.queue, desk.staff, ticket)
        await operations.reply(desk.queue, desk.staff, ticket, "You can pay by direct debit.")
        await operations.resolve(desk.queue, desk.staff, ticket, "answered")
    finally:
        REGISTRY.remove("web-1", socket)
    shown = [f["text"] for f in socket.sent if f["type"] == "bot"]
    assert shown == [
        desk.content.text("handoff_agent_joined"),
        "You can pay by direct debit.",
        desk.content.text("handoff_handed_back"),
    ]
    assert await bot_texts(desk.agent, "web-1") == shown
    assert not (await desk.agent.tracker_store.retrieve("web-1")).is_paused()


async def test_a_staff_reply_by_text_is_sent_and_recorded_once_when_two_servers_hear_it(desk):
    sender = SmsSender(desk.engine, OutboxProvider(), hash_identifier, attempts=1)
    handoff_relay.register_sms_sender(sender)
    second = HandoffRelay(desk.engine, desk.bus, desk.content, agent=lambda: desk.agent)
    second.record_delay = 0
    await second.start()  # another server on the same bus and tracker store
    texted_us(desk.engine)
    ticket = ticket_for(desk.engine, SMS_CONVERSATION, "sms")
    await paused(desk.agent, SMS_CONVERSATION)
    await operations.claim(desk.queue, desk.staff, ticket)
    await operations.reply(desk.queue, desk.staff, ticket, "Your band is C.")
    texts = [t.body for t in sms_store.outbound_for(desk.engine, hash_identifier(PHONE))]
    assert texts == [desk.content.text("handoff_agent_joined"), "Your band is C."]
    assert await bot_texts(desk.agent, SMS_CONVERSATION) == texts


async def test_a_staff_reply_to_an_erased_number_is_not_texted_and_keeps_no_number(desk):
    sender = SmsSender(desk.engine, OutboxProvider(), hash_identifier, attempts=1)
    handoff_relay.register_sms_sender(sender)
    texted_us(desk.engine)
    ticket = ticket_for(desk.engine, SMS_CONVERSATION, "sms")
    await paused(desk.agent, SMS_CONVERSATION)
    await operations.claim(desk.queue, desk.staff, ticket)
    erase(desk.engine, desk.engine, resident_keys(phone="+44 (0)7700 900123"))
    await operations.reply(desk.queue, desk.staff, ticket, "Your band is C.")
    assert sms_store.outbound_for(desk.engine, hash_identifier(PHONE)) == []
    assert sms_store.number_for(desk.engine, hash_identifier(PHONE)) is None


async def test_a_rest_conversation_gets_the_reply_in_its_tracker(desk):
    ticket = ticket_for(desk.engine, "rest-1", "rest")
    await paused(desk.agent, "rest-1")
    await operations.claim(desk.queue, desk.staff, ticket)
    await operations.reply(desk.queue, desk.staff, ticket, "We'll call you back today.")
    assert "We'll call you back today." in await bot_texts(desk.agent, "rest-1")


async def handled(message: UserMessage) -> None:
    """Stands in for Rasa's on_new_message on a paused conversation: only logs."""
    handled.seen.append(message.text)


handled.seen = []  # type: ignore[attr-defined]


def message(text: str, sender_id: str = "web-2") -> UserMessage:
    return UserMessage(text, CollectingOutputChannel(), sender_id, input_channel="webchat")


async def test_resident_messages_go_to_the_ticket_and_they_are_told_once_a_person_will_reply(desk):
    ticket = ticket_for(desk.engine, "web-2", "web")
    await paused(desk.agent, "web-2")
    queue_events: list[dict] = []

    async def on_queue(payload: dict) -> None:
        queue_events.append(payload)

    await desk.bus.subscribe("staff.queue", on_queue)
    first, second = message("my account number is 1234"), message("are you there?")
    wrapped = handoff_relay.inbound(handled)
    await wrapped(first)
    await wrapped(second)
    with session_scope(desk.engine) as session:
        saved = session.get(HandoffTicket, ticket)
        assert [m.text for m in saved.messages][-2:] == [
            "my account number is 1234",
            "are you there?",
        ]
    assert [m["text"] for m in first.output_channel.messages] == [
        desk.content.text("handoff_person_will_reply")
    ]
    assert second.output_channel.messages == []
    assert [e["kind"] for e in queue_events] == ["resident_message", "resident_message"]
    tracker = await desk.agent.tracker_store.retrieve("web-2")
    logged = [e.text for e in tracker.events if isinstance(e, UserUttered)]
    assert logged[-2:] == ["my account number is 1234", "are you there?"]


async def test_cancel_while_waiting_closes_the_ticket_and_resumes_the_assistant(desk):
    ticket = ticket_for(desk.engine, "web-3", "web")
    await paused(desk.agent, "web-3")
    cancel = message("Cancel", "web-3")
    await handoff_relay.inbound(handled)(cancel)
    with session_scope(desk.engine) as session:
        assert session.get(HandoffTicket, ticket).status == "cancelled"
    assert [m["text"] for m in cancel.output_channel.messages] == [
        desk.content.text("handoff_cancelled")
    ]
    assert not (await desk.agent.tracker_store.retrieve("web-3")).is_paused()


async def test_messages_without_an_open_ticket_go_to_the_assistant_untouched(desk):
    plain = message("when is my bin day", "web-4")
    await handoff_relay.inbound(handled)(plain)
    assert handled.seen[-1] == "when is my bin day"
    assert plain.output_channel.messages == []
    with session_scope(desk.engine) as session:
        assert session.execute(select(HandoffTicket)).first() is None


async def test_a_handed_over_message_is_logged_in_the_tracker_but_the_assistant_never_sees_it(desk):
    ticket_for(desk.engine, "web-5", "web")
    await paused(desk.agent, "web-5")
    seen: list[str] = []

    async def assistant(message: UserMessage) -> None:
        seen.append(message.text or "")

    await handoff_relay.inbound(assistant)(message("still waiting", "web-5"))
    tracker = await desk.agent.tracker_store.retrieve("web-5")
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)][-1] == "still waiting"
    assert seen == []


async def test_residents_still_waiting_see_their_new_place_live_but_it_is_not_recorded(desk):
    first = ticket_for(desk.engine, "web-6", "web")
    ticket_for(desk.engine, "web-7", "web")
    await paused(desk.agent, "web-7")
    socket = RecordingSocket()
    REGISTRY.add("web-7", socket)
    try:
        await operations.claim(desk.queue, desk.staff, first)
    finally:
        REGISTRY.remove("web-7", socket)
    assert [f["text"] for f in socket.sent] == [
        desk.content.text("handoff_queue_position", position=1)
    ]
    assert await bot_texts(desk.agent, "web-7") == []
