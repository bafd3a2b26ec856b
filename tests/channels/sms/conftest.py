"""Fixtures for the SMS channel's tests: a real Sanic server on loopback mounting the
channel's blueprint (Rasa's boundary replaced by a recording assistant), and fake
provider APIs (Twilio's Messages resource, GOV.UK Notify's) on loopback too.

- `recording_bot`: the `on_new_message` callback; records each UserMessage and answers
  "You said: <text>" (or with buttons for "menu"); `.delay` slows each turn down.
- `provider_api`: an aiohttp server that records requests; `.statuses` is the list of
  HTTP statuses to answer with, in order (the last one repeats).
- `sms_server(provider=..., **settings)`: starts the channel and returns an `SmsApp`
  with `.url(path)`, `.channel` and `.settings`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from rasa.core.channels.channel import UserMessage
from sanic import Sanic
from sqlalchemy.engine import Engine

from bot.settings import Settings
from channels.sms.channel import SmsInput

TWILIO_SID = "AC" + "1" * 32
TWILIO_TOKEN = "test-auth-token-0123456789abcdef"
NOTIFY_TOKEN = "notify-inbound-token-0123456789abcdef"
NOTIFY_KEY = "test_key-" + "2" * 36 + "-" + "3" * 36
NOTIFY_TEMPLATE = "4" * 8 + "-4444-4444-4444-" + "4" * 12
PUBLIC_BASE = "https://sms.oakbridge.gov.example"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RecordingBot:
    """Stands in for Rasa's agent: records what it is given and answers."""

    received: list[UserMessage] = field(default_factory=list)
    started: list[str] = field(default_factory=list)
    finished: list[str] = field(default_factory=list)
    delay: float = 0.0
    fail: bool = False

    async def __call__(self, message: UserMessage) -> None:
        self.started.append(message.text or "")
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
        self.finished.append(message.text or "")

    @property
    def texts(self) -> list[str]:
        return [m.text or "" for m in self.received]


@pytest.fixture
def recording_bot() -> RecordingBot:
    return RecordingBot()


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
        return web.json_response({"sid": "SM" + uuid.uuid4().hex, "id": str(uuid.uuid4())}, status=status)


@pytest.fixture
async def provider_api() -> AsyncIterator[ProviderApi]:
    api = ProviderApi(port=free_port())
    app = web.Application()
    app.router.add_route("POST", "/{tail:.*}", api.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", api.port)
    await site.start()
    yield api
    await runner.cleanup()


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


@pytest.fixture
async def sms_server(
    migrated_engine: Engine, recording_bot: RecordingBot, provider_api: ProviderApi
) -> AsyncIterator[Callable[..., Awaitable[SmsApp]]]:
    servers: list[Any] = []

    async def start(provider: str = "outbox", **overrides: Any) -> SmsApp:
        settings = dataclasses.replace(
            Settings(),
            database_url=str(migrated_engine.url.render_as_string(hide_password=False)),
            sms_public_base_url=PUBLIC_BASE,
            sms_retry_base_seconds=0.01,
            twilio_account_sid=TWILIO_SID,
            twilio_auth_token=TWILIO_TOKEN,
            twilio_from_number="+447700900999",
            twilio_api_base_url=provider_api.base_url,
            notify_api_key=NOTIFY_KEY,
            notify_inbound_token=NOTIFY_TOKEN,
            notify_sms_template_id=NOTIFY_TEMPLATE,
            notify_base_url=provider_api.base_url,
            **overrides,
        )
        channel = SmsInput(provider, settings, engine=migrated_engine)
        app = Sanic(f"sms_test_{uuid.uuid4().hex[:12]}")
        app.blueprint(channel.blueprint(recording_bot), url_prefix="/webhooks/sms")
        port = free_port()
        server = await app.create_server(
            host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
        )
        await server.startup()
        await server.before_start()
        await server.after_start()
        servers.append((server, channel))
        return SmsApp(port=port, channel=channel, settings=settings)

    yield start
    for server, channel in servers:
        if channel.conversations is not None:
            await channel.conversations.drain()
        await server.before_stop()
        server.close()
        await server.wait_closed()
        await server.after_stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session
