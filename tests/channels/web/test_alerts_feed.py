"""The alerts feed the widget's banner reads (channels/notifications.py), on a real Sanic
server on loopback: every live alert with where it applies, bounded arguments, short caching."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

import aiohttp
import pytest
from sanic import Sanic
from sqlalchemy.engine import Engine

from bot.clock import LONDON
from bot.db.session import session_scope
from bot.services.alerts import create_alert, parse_areas
from bot.settings import Settings
from channels.notifications import NotificationScheduler
from tests.channels.web.conftest import free_port

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=LONDON)


def _publish(
    engine: Engine,
    areas: str,
    message: str,
    topics: tuple[str, ...] = ("bins",),
    starts: timedelta = timedelta(hours=-1),
) -> int:
    with session_scope(engine) as session:
        return create_alert(
            session,
            message=message,
            areas=parse_areas(session, areas),
            topics=topics,
            starts_at=NOW + starts,
            ends_at=NOW + starts + timedelta(hours=6),
            created_by="sue.supervisor",
            now=NOW + starts,
        ).id


@asynccontextmanager
async def _feed(engine: Engine) -> AsyncIterator[Any]:
    """A real server with the notifications channel; yields a GET helper for the feed."""
    settings = dataclasses.replace(
        Settings(), database_url=engine.url.render_as_string(hide_password=False)
    )
    channel = NotificationScheduler(3600, settings, engine, now=lambda: NOW)
    app = Sanic(f"feed_test_{uuid.uuid4().hex[:12]}")
    app.blueprint(channel.blueprint(lambda _message: None), url_prefix="/webhooks/notifications")
    port = free_port()
    server = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    await server.startup()
    url = f"http://127.0.0.1:{port}/webhooks/notifications/alerts"
    try:
        async with aiohttp.ClientSession() as http:

            async def get(query: str = "") -> tuple[int, dict[str, str], Any]:
                async with http.get(url + query) as reply:
                    return reply.status, dict(reply.headers), await reply.json()

            yield get
    finally:
        server.close()
        await server.wait_closed()


async def test_without_a_postcode_the_feed_lists_every_live_alert_and_where_it_applies(
    loaded_engine: Engine,
) -> None:
    council = _publish(
        loaded_engine,
        "council",
        "Our phone lines are down.",
        ("general",),
        starts=timedelta(hours=-2),
    )
    area = _publish(loaded_engine, "OB1 2, round:MON-A", "Collections suspended: snow.")
    _publish(loaded_engine, "OB2", "Starts later.", starts=timedelta(hours=1))
    async with _feed(loaded_engine) as get:
        status, headers, body = await get()
    assert status == 200
    assert [
        (a["id"], a["message"], a["whole_council"], a["places"], a["where"]) for a in body["alerts"]
    ] == [
        (
            area,
            "Collections suspended: snow.",
            False,
            ["OB1 2 postcodes", "Monday round A"],
            "Where: OB1 2 postcodes, Monday round A",
        ),
        (council, "Our phone lines are down.", True, [], "Where: everywhere in Oakbridge Council"),
    ]
    assert body["labels"]["heading"] == "Service alerts"
    assert body["labels"]["count_many"] == "{count} service alerts"
    assert headers["Cache-Control"] == "public, max-age=60"
    assert headers["Access-Control-Allow-Origin"] == "*"


async def test_the_feed_never_says_who_published_an_alert(loaded_engine: Engine) -> None:
    _publish(loaded_engine, "council", "Offices closed.")
    async with _feed(loaded_engine) as get:
        everywhere = (await get())[2]
        at_postcode = (await get("?postcode=OB1+1AA"))[2]
    for body in (everywhere, at_postcode):
        assert len(body["alerts"]) == 1
        assert "sue.supervisor" not in str(body) and "created_by" not in str(body)


async def test_a_topic_narrows_the_feed(loaded_engine: Engine) -> None:
    _publish(loaded_engine, "council", "Bins late.")
    roads = _publish(loaded_engine, "OB3", "Road closed.", ("roads",))
    async with _feed(loaded_engine) as get:
        status, _headers, body = await get("?topic=roads")
    assert status == 200 and [a["id"] for a in body["alerts"]] == [roads]


async def test_the_postcode_variant_is_unchanged(loaded_engine: Engine) -> None:
    _publish(loaded_engine, "round:MON-A", "MON-A suspended.")
    _publish(loaded_engine, "OB3", "Elsewhere.")
    async with _feed(loaded_engine) as get:
        status, _headers, body = await get("?postcode=ob1+1aa&topic=bins")
    assert status == 200
    assert body["postcode"] == "OB1 1AA"
    assert [a["message"] for a in body["alerts"]] == ["MON-A suspended."]
    assert set(body["alerts"][0]) == {"message", "topics", "starts_at", "ends_at"}


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ("?postcode=nowhere", "give a full postcode"),
        ("?postcode=", "give a full postcode"),
        ("?postcode=" + "A" * 17, "give a full postcode"),
        ("?topic=weather", "topic must be one of"),
        ("?topic=", "topic must be one of"),
        ("?topic=bins&topic=roads", "give topic once"),
        ("?admin=1", "unknown parameter 'admin'"),
        ("?topic=bins&x=" + "y" * 300, "the query is too long"),
    ],
)
async def test_bad_arguments_are_refused_with_a_clear_error(
    loaded_engine: Engine, query: str, error: str
) -> None:
    async with _feed(loaded_engine) as get:
        status, headers, body = await get(query)
    assert status == 400
    assert body["error"].startswith(error)
    assert headers["Cache-Control"] == "no-store"
