"""What the staff application publishes on the message bus after each action.

- "resident.<channel>": {"conversation_id", "kind", "text"} with kind staff_reply,
  agent_joined, handed_back or queue_update; the resident's channel delivers it.
- "staff.queue": {"kind", "ticket_id"} so every server's open queue pages refresh.
"""

from __future__ import annotations

import logging

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.content import Content
from bot.services.handoff import waiting_tickets
from bot.services.message_bus import MessageBus, MessageBusError
from bot.web.database import in_session
from bot.web.live import QUEUE_TOPIC

logger = logging.getLogger(__name__)
MAX_POSITION_UPDATES = 50


def resident_topic(channel: str) -> str:
    """The bus topic for events bound for residents on `channel` ("web", "sms" ...)."""
    return f"resident.{channel}"


async def publish_to_resident(
    bus: MessageBus, channel: str, conversation_id: str, kind: str, text: str
) -> None:
    """Send one event to the resident's conversation, wherever its connection is held."""
    await bus.publish(
        resident_topic(channel), {"conversation_id": conversation_id, "kind": kind, "text": text}
    )


async def publish_queue_changed(bus: MessageBus, kind: str, ticket_id: int | None) -> None:
    """Tell every server's staff pages that the queue or a ticket changed."""
    await bus.publish(QUEUE_TOPIC, {"kind": kind, "ticket_id": ticket_id})


async def publish_positions(bus: MessageBus, engine: Engine, content: Content) -> None:
    """Tell the residents still waiting their new place in the queue (after a claim)."""

    def positions(session: Session) -> list[tuple[str, str, int]]:
        waiting = waiting_tickets(session)[:MAX_POSITION_UPDATES]
        return [(t.channel, t.conversation_id, n) for n, t in enumerate(waiting, start=1)]

    for channel, conversation_id, position in await in_session(engine, positions):
        text = content.text("handoff_queue_position", position=position)
        try:
            await publish_to_resident(bus, channel, conversation_id, "queue_update", text)
        except MessageBusError:
            logger.exception("could not publish a queue update for ticket on %s", channel)
