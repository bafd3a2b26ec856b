"""Bot replies to the chat widget: one frame per reply, to every open socket of the chat."""

from __future__ import annotations

from typing import Any

from rasa.core.channels.channel import OutputChannel

from channels.web.connections import ConnectionRegistry
from channels.web.frames import bot_frame


class WebChatOutput(OutputChannel):
    """Sends Rasa's responses as {"type": "bot", "text", "buttons"} frames."""

    @classmethod
    def name(cls) -> str:
        return "webchat"

    def __init__(self, registry: ConnectionRegistry) -> None:
        self._registry = registry

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """A plain text reply."""
        await self._registry.deliver(recipient_id, bot_frame(text))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """A reply with buttons the resident can press instead of typing."""
        await self._registry.deliver(recipient_id, bot_frame(text, buttons))

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """Quick replies are shown as buttons."""
        await self.send_text_with_buttons(recipient_id, text, quick_replies)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        """Images are sent as a link (the widget shows no remote images)."""
        await self.send_text_message(recipient_id, image)

    async def send_attachment(self, recipient_id: str, attachment: str, **kwargs: Any) -> None:
        """Attachments are sent as text (the widget shows no remote files)."""
        await self.send_text_message(recipient_id, str(attachment))
