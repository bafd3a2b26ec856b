"""The resident's side of a handed-over conversation, in every Rasa server process.

Inbound: `inbound(on_new_message)` wraps a channel's handler. While the conversation has an
open ticket, what the resident sends goes to the ticket (and staff pages, live) and into
the tracker, but not to the assistant, so it never answers (even after a session expiry).
They are told once that a person will reply; "cancel" closes the ticket and resumes.

Outbound: `HandoffRelay.start()` subscribes to the staff app's bus topics
("resident.web", "resident.sms", "resident.rest") and delivers staff replies, "a person
has joined" and "handed back" to the open web chat (`channels.web.connections.deliver`)
or by text (`SmsSender.send` with one idempotency key per ticket message), and records
them in the tracker so a reload shows them. Handing back resumes the conversation.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.clock import now
from bot.content import Content
from bot.council import get_council
from bot.db.calls import run_db
from bot.privacy import hash_identifier
from bot.services.handoff import add_resident_message, cancel_by_resident
from bot.services.handoff_queue import open_ticket_id
from bot.services.message_bus import MessageBus, MessageBusError
from bot.services.resident_contact import remember_contact
from bot.services.resident_delivery import delivery_key
from bot.web.database import in_session
from bot.web.events import publish_queue_changed, resident_topic
from channels import handoff_tracker
from channels.web import connections

logger = logging.getLogger(__name__)
CHANNELS = ("web", "sms", "rest")
CANCEL_WORDS = frozenset({"cancel", "/cancel", "cancel please", "stop waiting", "leave the queue"})
# A server without the resident's socket waits this long before recording a message in the
# tracker, so the server that showed it normally records it first.
RECORD_DELAY_SECONDS = 1.5
MAX_ID = 128

Handler = Callable[[UserMessage], Awaitable[Any]]


class HandoffRelay:
    """Carries messages between a handed-over resident and the staff queue."""

    def __init__(
        self, engine: Engine, bus: MessageBus, content: Content,
        agent: Callable[[], Any] = lambda: None,
    ) -> None:
        self.engine, self.bus, self.content = engine, bus, content
        self.agent = agent  # the app's current Rasa agent (a model may be reloaded)
        self.sms_sender: Any = None
        self.record_delay = RECORD_DELAY_SECONDS

    async def start(self) -> None:
        """Subscribe to every resident topic on the bus."""
        for channel in CHANNELS:
            await self.bus.subscribe(resident_topic(channel), self._handler(channel))

    def _handler(self, channel: str) -> Callable[[dict], Awaitable[None]]:
        async def handle(payload: dict) -> None:
            await self.deliver(channel, payload)

        return handle

    async def deliver(self, channel: str, payload: dict) -> None:
        """Deliver one bus event to the resident and record it (once across servers)."""
        sender_id, kind = str(payload.get("conversation_id") or ""), str(payload.get("kind"))
        text = str(payload.get("text") or "").strip()
        if not sender_id or len(sender_id) > MAX_ID or not text:
            logger.warning("handoff relay: dropped an event without a conversation or text")
            return
        key = await in_session(self.engine, lambda s: delivery_key(s, sender_id, kind, text))
        if key is None:
            logger.warning("handoff relay: %s event names no ticket message", kind)
            return
        if kind == "queue_update":  # passing news: live chats only, not texted or recorded
            if channel == "web":
                await connections.deliver(sender_id, {"type": "bot", "text": text, "buttons": []})
            return
        resume = kind == "handed_back"
        if channel == "web":
            shown = await connections.deliver(
                sender_id, {"type": "bot", "text": text, "buttons": []}
            )
            if not shown:
                await asyncio.sleep(self.record_delay)
        elif channel == "sms" and (self.sms_sender or _sms_sender) is not None:
            sender = self.sms_sender or _sms_sender
            await sender.send(sender_id, text, f"handoff:{key}")
        await handoff_tracker.record(self.agent(), sender_id, text, key, resume=resume)

    async def resident_message(self, message: UserMessage, handler: Handler) -> Any:
        """Route one resident message: to the ticket while handed over, else to Rasa."""
        sender_id, text = message.sender_id or "", (message.text or "").strip()
        try:
            ticket_id = await run_db(self.engine, open_ticket_id, sender_id)
        except SQLAlchemyError as error:
            # Whether it is handed over cannot be known: the assistant answers (it says
            # plainly when our systems are down) rather than nobody.
            logger.error("handoff relay: no ticket look-up for %s: %s",
                         hash_identifier(sender_id)[:12], type(error).__name__)
            return await handler(message)
        if ticket_id is None or not text:
            return await handler(message)
        result = await self._log_only(message, handler)
        if text.lower().rstrip(".!") in CANCEL_WORDS:
            await self._cancel(message, ticket_id)
            return result
        moment = now()

        def store(session: Session) -> bool:
            remember_contact(session, get_council(), sender_id, text)
            return add_resident_message(session, sender_id, text[:2000], moment) is not None

        stored = await in_session(self.engine, store)
        if stored:
            await self._publish_queue("resident_message", ticket_id)
            await self._tell(message, "handoff_person_will_reply", f"will_reply:{ticket_id}")
        return result

    async def _log_only(self, message: UserMessage, handler: Handler) -> Any:
        """Keep the message in the conversation without the assistant answering it."""
        agent = self.agent()
        if agent is None:  # no tracker store here: Rasa logs it (the conversation is paused)
            return await handler(message)
        await handoff_tracker.record_resident(
            agent, message.sender_id or "", (message.text or "")[:2000], message.input_channel
        )
        return None

    async def _cancel(self, message: UserMessage, ticket_id: int) -> None:
        sender_id, moment = message.sender_id or "", now()
        await in_session(self.engine, lambda s: cancel_by_resident(s, sender_id, moment))
        await self._publish_queue("cancel", ticket_id)
        await self._tell(message, "handoff_cancelled", f"cancelled:{ticket_id}", resume=True)

    async def _tell(self, message: UserMessage, content_key: str, key: str,
                    resume: bool = False) -> None:
        """Say `content_key` in this turn, once per key (recorded in the tracker)."""
        text = self.content.text(content_key)
        agent = self.agent()
        if agent is not None and not await handoff_tracker.record(
            agent, message.sender_id or "", text, key, resume=resume
        ):
            return
        if message.output_channel is not None:
            await message.output_channel.send_text_message(message.sender_id or "", text)

    async def _publish_queue(self, kind: str, ticket_id: int) -> None:
        try:
            await publish_queue_changed(self.bus, kind, ticket_id)
        except MessageBusError:
            logger.exception("handoff relay: could not tell staff pages about ticket %s", ticket_id)


_current: HandoffRelay | None = None


def set_relay(relay: HandoffRelay | None) -> None:
    """Make `relay` the one this process's channels use (the staff channel sets it)."""
    global _current
    _current = relay


def current_relay() -> HandoffRelay | None:
    """This process's relay, or None when the staff queue is not mounted."""
    return _current


def register_sms_sender(sender: Any) -> None:
    """The SMS channel's sender, for staff replies by text (kept until a relay takes it)."""
    global _sms_sender
    _sms_sender = sender
    if _current is not None:
        _current.sms_sender = sender


_sms_sender: Any = None


def inbound(handler: Handler) -> Handler:
    """Wrap a channel's `on_new_message` so handed-over conversations reach the ticket."""

    async def on_new_message(message: UserMessage) -> Any:
        relay = _current
        if relay is None:
            return await handler(message)
        if relay.sms_sender is None:
            relay.sms_sender = _sms_sender
        return await relay.resident_message(message, handler)

    return on_new_message
