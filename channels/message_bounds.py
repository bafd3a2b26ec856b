"""Every message is bounded before NLU: control characters go, and one longer than
MAX_MESSAGE_CHARS gets a short reply instead of reaching the assistant or a ticket.

The web widget bounds its frames itself (channels/web/frames.py); REST and SMS wrap their
handler with `bounded`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage

from bot.content import get_content
from bot.db.text import plain_text
from bot.settings import get_settings

Handler = Callable[[UserMessage], Awaitable[Any]]


def bounded(handler: Handler) -> Handler:
    """Wrap a channel's `on_new_message`: clean the text, refuse overlong messages kindly."""
    limit = get_settings().max_message_chars

    async def on_new_message(message: UserMessage) -> Any:
        text = plain_text(message.text or "")
        if len(text) > limit:
            reply = get_content().text("text_too_long", limit=f"{limit:,}")
            await message.output_channel.send_text_message(message.sender_id, reply)
            return None
        message.text = text
        return await handler(message)

    return on_new_message
