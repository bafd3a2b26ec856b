"""The REST channel with handoff: same URL; a handed-over conversation's messages reach
its ticket and get the 'a person will reply' note instead of the assistant."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from bot.content import get_content
from bot.db.handoff import HandoffTicket
from bot.db.session import session_scope
from bot.services.handoff import TranscriptTurn, open_ticket
from bot.services.message_bus import InProcessBus
from channels import handoff_relay
from channels.handoff_relay import HandoffRelay
from channels.rest_handoff import RestWithHandoffInput

T0 = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)


async def test_rest_messages_on_a_handed_over_conversation_reach_the_ticket(migrated_engine):
    with session_scope(migrated_engine) as session:
        ticket = open_ticket(
            session,
            "rest:7",
            "rest",
            "general",
            "Asked for a person",
            None,
            [TranscriptTurn("resident", "a human please")],
            now=T0,
        )
        session.flush()
        ticket_id = ticket.id
    reached_rasa: list[str] = []

    async def assistant(message: UserMessage) -> None:
        """Stands in for Rasa: logs every message, answers only conversations not paused."""
        reached_rasa.append(message.text or "")
        if message.sender_id != "rest:7":
            await message.output_channel.send_text_message(message.sender_id, "bot answer")

    app = Sanic(f"rest_{uuid.uuid4().hex[:8]}")
    app.blueprint(RestWithHandoffInput().blueprint(assistant), url_prefix="/webhooks/rest")
    handoff_relay.set_relay(HandoffRelay(migrated_engine, InProcessBus(), get_content()))
    try:
        _, handed = await app.asgi_client.post(
            "/webhooks/rest/webhook",
            json={"sender": "7", "message": "call me on 07700 900123"},
        )
        _, plain = await app.asgi_client.post(
            "/webhooks/rest/webhook", json={"sender": "rest-8", "message": "hello"}
        )
    finally:
        handoff_relay.set_relay(None)
    assert [m["text"] for m in handed.json] == [get_content().text("handoff_person_will_reply")]
    assert [m["text"] for m in plain.json] == ["bot answer"]
    assert reached_rasa == ["call me on 07700 900123", "hello"]  # Rasa logs both
    with session_scope(migrated_engine) as session:
        saved = session.get(HandoffTicket, ticket_id)
        assert saved.messages[-1].text == "call me on 07700 900123"
        assert saved.contact == "+447700900123"  # asked for on REST, sent, so kept
