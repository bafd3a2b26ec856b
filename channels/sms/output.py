"""The Rasa output side of the SMS channel.

During a resident's turn the assistant's messages are collected and sent as
one SMS-shaped reply as soon as the turn ends (before Rasa saves the
conversation: `channels/turn_end.py`). Outside a turn (a staff reply, a
reminder) each message is sent at once through the same sender.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from functools import lru_cache
from typing import Any

from rasa.core.channels.channel import OutputChannel

from bot.clients.sms.sender import SmsSender
from bot.content import get_content
from bot.safety.labels import URGENT_LABELS, urgent_content_key
from bot.services.sms_format import MAX_SEGMENTS, SmsReply, format_reply

# A turn with urgent help may run longer than a usual reply, so that the help, what
# happens next (a person, the queue) and a report kept for later all arrive.
URGENT_MAX_SEGMENTS = 6


@lru_cache(maxsize=1)
def _urgent_helps() -> tuple[str, ...]:
    content = get_content()
    return tuple(content.render(urgent_content_key(label)).text for label in URGENT_LABELS)


def _has_urgent_help(messages: list[dict[str, Any]]) -> bool:
    helps = _urgent_helps()
    return any(str(m.get("text") or "").startswith(h) for m in messages for h in helps)


def reply_for(messages: list[dict[str, Any]]) -> SmsReply:
    """The SMS reply for a turn's messages, with numbered options for buttons."""
    longest = URGENT_MAX_SEGMENTS if _has_urgent_help(messages) else MAX_SEGMENTS
    return format_reply(messages, get_content().text("sms_options_intro"), longest)


class CollectingSmsOutput(OutputChannel):
    """Collects a turn's messages and hands them to `on_end` as one reply when the turn
    ends (with the reply's part number: 1, then 2 for messages that came later)."""

    def __init__(
        self, on_end: Callable[[list[dict[str, Any]], int], Awaitable[None]] | None = None
    ) -> None:
        self.messages: list[dict[str, Any]] = []
        self.parts = 0  # how many times messages were handed to `on_end`
        self._on_end = on_end
        self._handed = 0  # how many of `messages` were handed

    @property
    def ended(self) -> bool:
        """Whether the turn's reply has been handed on."""
        return self.parts > 0

    async def end_of_turn(self) -> None:
        """The assistant has finished its turn. Rasa's processor calls this when its
        prediction loop ends, and the channel again once the turn is over: the first
        call hands on every message so far (none, too: the reply may forget options); a
        later one only messages that came after (the handoff relay's note), if any."""
        new = self.messages[self._handed :]
        if self.ended and not new:
            return
        self._handed = len(self.messages)
        self.parts += 1
        if self._on_end is not None:
            await self._on_end(new, self.parts)

    @classmethod
    def name(cls) -> str:
        return "sms"

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        self.messages.append(dict(message))

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        self.messages.append({"text": text})


class SmsOutput(OutputChannel):
    """Sends each message straight away (for messages pushed outside a resident's turn)."""

    def __init__(self, sender: SmsSender) -> None:
        self._sender = sender

    @classmethod
    def name(cls) -> str:
        return "sms"

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        reply = reply_for([dict(message)])
        if reply.text:  # recipient_id is the conversation's id (`sms:<hash>`)
            await self._sender.send_to_conversation(
                recipient_id, reply.text, f"push:{uuid.uuid4()}"
            )

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})
