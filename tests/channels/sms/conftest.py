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

import dataclasses
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from sanic import Sanic
from sqlalchemy.engine import Engine

from bot.settings import Settings
from channels.sms.channel import SmsInput
from tests.channels.sms.sms_support import (
    NOTIFY_KEY,
    NOTIFY_TEMPLATE,
    NOTIFY_TOKEN,
    PUBLIC_BASE,
    TWILIO_SID,
    TWILIO_TOKEN,
    ProviderApi,
    RecordingBot,
    SmsApp,
    free_port,
)


@pytest.fixture
def recording_bot() -> RecordingBot:
    return RecordingBot()


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
