"""The in-process scheduler: a Sanic server starting the reminder loop on start-up."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from datetime import datetime, timedelta

import aiohttp
import pytest
from sanic import Sanic
from sqlalchemy.engine import Engine

from bot.clock import LONDON
from bot.db import sms as sms_store
from bot.db.session import session_scope
from bot.privacy import hash_identifier
from bot.services.alerts import create_alert
from bot.services.notification_subscriptions import subscribe
from bot.settings import Settings
from channels.notifications import NotificationScheduler
from tests.channels.sms.sms_support import free_port

EVENING = datetime(2026, 11, 29, 18, 30, tzinfo=LONDON)
NUMBER = "+447700900654"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_server_start_runs_the_scheduler_and_it_sends_due_reminders_once(
    loaded_engine: Engine,
) -> None:
    with session_scope(loaded_engine) as session:
        subscribe(
            session,
            contact_kind="sms",
            contact=NUMBER,
            uprn="100090000001",
            channel="sms",
            wording="Bin-day texts.",
            now=EVENING - timedelta(days=2),
        )
    settings = dataclasses.replace(
        Settings(), database_url=loaded_engine.url.render_as_string(hide_password=False)
    )
    channel = NotificationScheduler(0.05, settings, loaded_engine, now=lambda: EVENING)
    app = Sanic(f"scheduler_test_{uuid.uuid4().hex[:12]}")
    app.blueprint(channel.blueprint(lambda _message: None), url_prefix="/webhooks/notifications")
    port = free_port()
    server = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    await server.startup()
    await server.before_start()
    await server.after_start()
    try:
        async with aiohttp.ClientSession() as http:
            url = f"http://127.0.0.1:{port}/webhooks/notifications/health"
            async with http.get(url) as reply:
                body = await reply.json()
        assert body["passes"] >= 1 and body["last"]["failed"] == 0
        while channel.passes < 3:
            await asyncio.sleep(0.05)
    finally:
        await server.before_stop()
        server.close()
        await server.wait_closed()
        await server.after_stop()
    texts = sms_store.outbound_for(loaded_engine, hash_identifier(NUMBER))
    assert len(texts) == 1 and texts[0].status == "sent"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_widget_banner_lists_live_alerts_for_a_postcode(loaded_engine: Engine) -> None:
    with session_scope(loaded_engine) as session:
        for areas, topics in (
            (("round:MON-A",), ("bins",)),
            (("OB3",), ("bins",)),
            (("OB1",), ("roads",)),
        ):
            create_alert(
                session,
                message=f"Alert for {areas[0]} {topics[0]}.",
                areas=areas,
                topics=topics,
                starts_at=EVENING - timedelta(hours=1),
                ends_at=EVENING + timedelta(hours=1),
                created_by="sue",
                now=EVENING - timedelta(hours=1),
            )
    settings = dataclasses.replace(
        Settings(), database_url=loaded_engine.url.render_as_string(hide_password=False)
    )
    channel = NotificationScheduler(3600, settings, loaded_engine, now=lambda: EVENING)
    app = Sanic(f"banner_test_{uuid.uuid4().hex[:12]}")
    app.blueprint(channel.blueprint(lambda _message: None), url_prefix="/webhooks/notifications")
    port = free_port()
    server = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    await server.startup()
    base = f"http://127.0.0.1:{port}/webhooks/notifications/alerts"
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(base, params={"postcode": "ob1 1aa", "topic": "bins"}) as reply:
                body = await reply.json()
            async with http.get(base, params={"postcode": "OB1 1AA"}) as reply:
                every = await reply.json()
            async with http.get(base, params={"postcode": "nowhere"}) as reply:
                assert reply.status == 400
    finally:
        server.close()
        await server.wait_closed()
    assert [a["message"] for a in body["alerts"]] == ["Alert for round:MON-A bins."]
    assert len(every["alerts"]) == 2
