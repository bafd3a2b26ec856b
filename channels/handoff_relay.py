"""The resident's side of a handed-over conversation, in every Rasa server process.

Inbound: `inbound(on_new_message)` wraps a channel's handler. While the conversation has an
open ticket, what the resident sends goes to the ticket (and staff pages, live) and into
the tracker, but not to the assistant, so it never answers (even after a session expiry).
They are told once that a person will reply; "cancel" (or the widget's "End chat") closes
the ticket and hands the conversation back to the assistant. A message the assistant's NLU
reads as urgent (bot/safety/labels.py) gets the emergency help at once, and the ticket
becomes urgent.

Outbound: `HandoffRelay.start()` subscribes to the staff app's bus topics
("resident.web", "resident.sms", "resident.rest") and delivers staff replies, "a person
has joined" and "handed back" to the open web chat (`channels.web.connections.deliver`)
or by text (`SmsSender.send` with one idempotency key per ticket message), and records
them in the tracker so a reload shows them. Handing back resumes the conversation.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
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
from bot.safety.labels import is_urgent, urgent_content_key
from bot.services.handoff import add_resident_message, cancel_by_resident
from bot.services.handoff_queue import latest_ticket, open_ticket_id
from bot.services.handoff_urgency import raise_to_urgent
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
FALLBACK_URGENT_KEY = "urgent_safeguarding_concern"

Handler = Callable[[UserMessage], Awaitable[Any]]


class HandoffRelay:
    """Carries messages between a handed-over resident and the staff queue."""

    def __init__(
        self,
        engine: Engine,
        bus: MessageBus,
        content: Content,
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
            # The conversation id is `sms:<hash>`: the sender finds the number it was kept for.
            await sender.send_to_conversation(sender_id, text, f"handoff:{key}")
        await handoff_tracker.record(self.agent(), sender_id, text, key, resume=resume)

    async def resident_message(self, message: UserMessage, handler: Handler) -> Any:
        """Route one resident message: to the ticket while handed over, else to Rasa.

        A conversation whose ticket closed without the relay hearing of it (no "cancel",
        no "handed back" on the bus) is handed back to the assistant before Rasa reads it.
        """
        sender_id, text = message.sender_id or "", (message.text or "").strip()
        try:
            ticket = await run_db(self.engine, latest_ticket, sender_id)
        except SQLAlchemyError as error:
            # Whether it is handed over cannot be known: the assistant answers (it says
            # plainly when our systems are down) rather than nobody.
            logger.error(
                "handoff relay: no ticket look-up for %s: %s",
                hash_identifier(sender_id)[:12],
                type(error).__name__,
            )
            return await handler(message)
        if ticket is None or not text:
            return await handler(message)
        if not ticket.open:
            await handoff_tracker.hand_back_if_left(self.agent(), sender_id)
            return await handler(message)
        parsed = await self._understand(message)
        result = await self._log_only(message, handler, parsed)
        if text.lower().rstrip(".!") in CANCEL_WORDS:
            await self._cancel(sender_id, message.output_channel, ticket.id)
            return result
        label = str((parsed.get("intent") or {}).get("name") or "") or None
        if is_urgent(label):
            await self._urgent(message, ticket.id, str(label))
        moment = now()

        def store(session: Session) -> bool:
            remember_contact(session, get_council(), sender_id, text)
            saved = add_resident_message(session, sender_id, text[:2000], moment, intent=label)
            return saved is not None

        stored = await in_session(self.engine, store)
        if stored:
            await self._publish_queue("resident_message", ticket.id)
            await self._tell(message, "handoff_person_will_reply", f"will_reply:{ticket.id}")
        return result

    async def end_chat(self, sender_id: str, output_channel: Any = None) -> bool:
        """The resident closed the chat (the widget's "End chat"): leave the queue as with
        "cancel". True when an open ticket was closed."""
        ticket_id = await run_db(self.engine, open_ticket_id, sender_id)
        if ticket_id is None:
            return False
        await self._cancel(sender_id, output_channel, ticket_id)
        return True

    async def _understand(self, message: UserMessage) -> dict[str, Any]:
        """What the assistant's NLU reads in the message (for urgency and the transcript);
        empty when no model is loaded here."""
        processor = getattr(self.agent(), "processor", None)
        if processor is None:
            return {}
        try:
            return dict(await processor.parse_message(message))
        except Exception:  # the message must still reach the ticket
            logger.exception(
                "handoff relay: could not parse a message from %s",
                hash_identifier(message.sender_id or "")[:12],
            )
            return {}

    async def _log_only(
        self, message: UserMessage, handler: Handler, parsed: dict[str, Any]
    ) -> Any:
        """Keep the message in the conversation without the assistant answering it."""
        agent = self.agent()
        if agent is None:  # no tracker store here: Rasa logs it (the conversation is paused)
            return await handler(message)
        await handoff_tracker.record_resident(
            agent,
            message.sender_id or "",
            (message.text or "")[:2000],
            message.input_channel,
            parsed,
        )
        return None

    async def _urgent(self, message: UserMessage, ticket_id: int, label: str) -> None:
        """Emergency help at once in this channel, then the ticket to the top of the queue."""
        sender_id, moment = message.sender_id or "", now()
        key = urgent_content_key(label)
        # As action_answer_urgent: a label without its own answer still gets emergency help.
        help_now = self.content.render(key if self.content.has(key) else FALLBACK_URGENT_KEY)
        await self._say(
            sender_id,
            message.output_channel,
            help_now.as_text(),
            f"urgent:{ticket_id}:{uuid.uuid4().hex}",
        )
        raised = await in_session(
            self.engine, lambda s: raise_to_urgent(s, sender_id, label, moment) is not None
        )
        if raised:
            logger.info("handoff relay: ticket %s is now urgent (%s)", ticket_id, label)
            await self._publish_queue("urgent", ticket_id)

    async def _cancel(self, sender_id: str, output_channel: Any, ticket_id: int) -> None:
        moment = now()
        await in_session(self.engine, lambda s: cancel_by_resident(s, sender_id, moment))
        await self._publish_queue("cancel", ticket_id)
        await self._say(
            sender_id,
            output_channel,
            self.content.text("handoff_cancelled"),
            f"cancelled:{ticket_id}",
            resume=True,
        )

    async def _tell(self, message: UserMessage, content_key: str, key: str) -> None:
        """Say `content_key` in this turn, once per key (recorded in the tracker)."""
        await self._say(
            message.sender_id or "", message.output_channel, self.content.text(content_key), key
        )

    async def _say(
        self, sender_id: str, output_channel: Any, text: str, key: str, resume: bool = False
    ) -> None:
        """Say `text` in this turn, once per key (recorded in the tracker); with `resume`
        the conversation is handed back to the assistant."""
        agent = self.agent()
        if agent is not None and not await handoff_tracker.record(
            agent, sender_id, text, key, resume=resume
        ):
            return
        if output_channel is not None:
            await output_channel.send_text_message(sender_id, text)

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


async def end_chat(sender_id: str, output_channel: Any = None) -> bool:
    """The resident ended the chat: close their open ticket, if any (True if one was)."""
    relay = _current
    return False if relay is None else await relay.end_chat(sender_id, output_channel)
