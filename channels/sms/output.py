"""The Rasa output side of the SMS channel.

During a resident's turn the assistant's messages are collected and sent as
one SMS-shaped reply when the turn ends. Outside a turn (a staff reply, a
reminder) each message is sent at once through the same sender.
"""

from __future__ import annotations

import uuid
from typing import Any

from rasa.core.channels.channel import OutputChannel

from bot.content import get_content
from bot.services.sms_format import SmsReply, format_reply
from channels.sms.sender import SmsSender


def reply_for(messages: list[dict[str, Any]]) -> SmsReply:
    """The SMS reply for a turn's messages, with numbered options for buttons."""
    return format_reply(messages, get_content().text("sms_options_intro"))


class CollectingSmsOutput(OutputChannel):
    """Collects one turn's messages; the channel sends them as one text afterwards."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

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
        if reply.text:
            await self._sender.send(recipient_id, reply.text, f"push:{uuid.uuid4()}")

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})
