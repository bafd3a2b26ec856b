"""Helpers for the SMS channel's tests: the recording assistant, the fake provider API,
the running app, and the test credentials."""

from __future__ import annotations

import asyncio
import json
import socket
import uuid
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from rasa.core.channels.channel import UserMessage

from bot.privacy import hash_identifier
from bot.settings import Settings
from channels.sms.channel import SmsInput

TWILIO_SID = "AC" + "1" * 32
TWILIO_TOKEN = "test-auth-token-0123456789abcdef"
NOTIFY_TOKEN = "notify-inbound-token-0123456789abcdef"
NOTIFY_KEY = "test_key-" + "2" * 36 + "-" + "3" * 36
NOTIFY_TEMPLATE = "4" * 8 + "-4444-4444-4444-" + "4" * 12
PUBLIC_BASE = "https://sms.oakbridge.gov.example"


def conversation_of(number: str) -> str:
    """The Rasa conversation id the SMS channel gives texts from `number` (E.164)."""
    return "sms:" + hash_identifier(number)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RecordingBot:
    """Stands in for Rasa's agent: records what it is given and answers."""

    received: list[UserMessage] = field(default_factory=list)
    events: list[tuple[str, str]] = field(default_factory=list)
    delay: float = 0.0
    fail: bool = False

    async def __call__(self, message: UserMessage) -> None:
        self.events.append(("start", message.text or ""))
        if self.delay:
            await asyncio.sleep(self.delay)
        self.received.append(message)
        if self.fail:
            raise RuntimeError("the assistant broke")
        out = message.output_channel
        if message.text == "menu":
            await out.send_response(
                message.sender_id,
                {
                    "text": "What is it about?",
                    "buttons": [
                        {"title": "Bins", "payload": "/bin_collection_day"},
                        {"title": "Council Tax", "payload": "/council_tax_pay"},
                    ],
                },
            )
        else:
            await out.send_response(message.sender_id, {"text": f"You said: {message.text}"})
        self.events.append(("end", message.text or ""))

    @property
    def texts(self) -> list[str]:
        return [m.text or "" for m in self.received]


@dataclass
class ProviderApi:
    """A fake provider REST API on loopback that records every request."""

    port: int = 0
    requests: list[dict[str, Any]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=lambda: [201])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _next_status(self) -> int:
        return self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]

    async def handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        form = dict(await request.post()) if request.content_type.endswith("urlencoded") else {}
        body = json.loads(raw) if request.content_type == "application/json" else None
        self.requests.append(
            {"path": request.path, "headers": dict(request.headers), "form": form, "json": body}
        )
        status = self._next_status()
        if status >= 300:
            return web.json_response({"message": "fake failure", "status": status}, status=status)
        return web.json_response(
            {"sid": "SM" + uuid.uuid4().hex, "id": str(uuid.uuid4())}, status=status
        )


@dataclass
class SmsApp:
    port: int
    channel: SmsInput
    settings: Settings

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/webhooks/sms/{path}"

    async def settle(self) -> None:
        """Wait until every text received so far has been processed."""
        assert self.channel.conversations is not None
        await self.channel.conversations.drain()
