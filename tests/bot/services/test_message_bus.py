"""The message bus: in-process delivery, and delivery between two OS processes through
PostgreSQL LISTEN/NOTIFY and Redis pub/sub on loopback."""

import asyncio
import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bot.services.message_bus import (
    InProcessBus,
    MessageBusError,
    PostgresBus,
    RedisBus,
    make_message_bus,
)
from tests.bot.web.redis_server import redis_server

PROJECT_ROOT = Path(__file__).resolve().parents[3]

# A second server process: subscribes, says "ready", prints the first payload it receives.
SUBSCRIBER = """
import asyncio, json, sys
from bot.services.message_bus import make_message_bus

async def main():
    bus = make_message_bus(sys.argv[1])
    received = asyncio.get_running_loop().create_future()
    async def handler(payload):
        if not received.done():
            received.set_result(payload)
    await bus.subscribe(sys.argv[2], handler)
    print("ready", flush=True)
    payload = await asyncio.wait_for(received, 20)
    print(json.dumps(payload), flush=True)
    await bus.close()

asyncio.run(main())
"""

REPLY = {
    "conversation_id": "abc123",
    "kind": "staff_reply",
    "text": "Hello, this is Ann from the council. How can I help? £52 — café",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def postgres_bus_url(postgres_server: str) -> str:
    return postgres_server + "/postgres"


@pytest.fixture(scope="module")
def redis_url():
    with redis_server() as url:
        yield url


async def _readline(process: subprocess.Popen, timeout: float = 20) -> str:
    line = await asyncio.wait_for(asyncio.to_thread(process.stdout.readline), timeout)
    return line.strip()


async def _deliver_to_other_process(url: str, topic: str = "resident.web") -> dict:
    process = subprocess.Popen(
        [sys.executable, "-c", SUBSCRIBER, url, topic],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert await _readline(process) == "ready"
        bus = make_message_bus(url)
        try:
            await bus.publish("resident.other", {"kind": "queue_update", "text": "not for you"})
            await bus.publish(topic, REPLY)
        finally:
            await bus.close()
        return json.loads(await _readline(process))
    finally:
        process.kill()
        process.wait()


async def test_in_process_bus_delivers_to_every_subscriber_of_the_topic():
    bus = InProcessBus()
    first, second, other = [], [], []

    async def collect(into):
        async def handler(payload):
            into.append(payload)

        return handler

    await bus.subscribe("resident.web", await collect(first))
    await bus.subscribe("resident.web", await collect(second))
    await bus.subscribe("resident.sms", await collect(other))
    await bus.publish("resident.web", REPLY)
    assert first == second == [REPLY]
    assert other == []


async def test_a_failing_handler_does_not_stop_the_others():
    bus = InProcessBus()
    received = []

    async def broken(payload):
        raise RuntimeError("boom")

    async def working(payload):
        received.append(payload)

    await bus.subscribe("staff.queue", broken)
    await bus.subscribe("staff.queue", working)
    await bus.publish("staff.queue", {"kind": "queue_update"})
    assert received == [{"kind": "queue_update"}]


async def test_payloads_that_are_not_json_or_too_large_are_refused():
    bus = InProcessBus()
    with pytest.raises(MessageBusError):
        await bus.publish("resident.web", {"when": object()})
    with pytest.raises(MessageBusError):
        await bus.publish("resident.web", {"text": "x" * 8000})
    with pytest.raises(MessageBusError):
        await bus.publish('bad"topic', {})


def test_the_url_chooses_the_backend():
    assert isinstance(make_message_bus(""), InProcessBus)
    assert isinstance(make_message_bus("postgresql+psycopg2://u@127.0.0.1/db"), PostgresBus)
    assert isinstance(make_message_bus("redis://127.0.0.1:6379/0"), RedisBus)
    with pytest.raises(MessageBusError):
        make_message_bus("amqp://somewhere")


@pytest.mark.postgres
async def test_postgres_notify_reaches_a_subscriber_in_another_process(postgres_bus_url):
    assert await _deliver_to_other_process(postgres_bus_url) == REPLY


@pytest.mark.postgres
async def test_postgres_bus_delivers_within_the_same_process_too(postgres_bus_url):
    bus = make_message_bus(postgres_bus_url)
    received = asyncio.get_running_loop().create_future()

    async def handler(payload):
        received.set_result(payload)

    try:
        await bus.subscribe("staff.queue", handler)
        await bus.publish("staff.queue", {"kind": "queue_update", "ticket_id": 7})
        assert await asyncio.wait_for(received, 10) == {"kind": "queue_update", "ticket_id": 7}
    finally:
        await bus.close()


async def test_redis_pubsub_reaches_a_subscriber_in_another_process(redis_url):
    assert await _deliver_to_other_process(redis_url) == REPLY


@pytest.mark.postgres
async def test_postgres_bus_listens_again_after_losing_its_connection(postgres_bus_url):
    from sqlalchemy import create_engine, text

    bus = make_message_bus(postgres_bus_url)
    received: asyncio.Queue = asyncio.Queue()
    admin = create_engine(postgres_bus_url, isolation_level="AUTOCOMMIT", future=True)
    try:
        await bus.subscribe("staff.reconnect", received.put)
        with admin.connect() as connection:
            ended = connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE query LIKE 'LISTEN \"staff.reconnect\"%'"
                )
            ).all()
        assert ended, "the listening connection was not found"
        deadline = asyncio.get_running_loop().time() + 15
        while received.empty():
            assert asyncio.get_running_loop().time() < deadline, "never listened again"
            await bus.publish("staff.reconnect", {"kind": "ping"})
            await asyncio.sleep(0.2)
        assert await received.get() == {"kind": "ping"}
    finally:
        await bus.close()
        admin.dispose()
