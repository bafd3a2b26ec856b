"""A small publish/subscribe bus so events reach whichever server holds the connection.

Staff replies, 'a person has joined' and live queue updates are published on a topic
(e.g. "resident.web", "staff.queue") with a JSON-serialisable payload. Three backends:

- InProcessBus: the embedded default (one server); handlers run in this process.
- PostgresBus: PostgreSQL LISTEN/NOTIFY (psycopg2; the listening connection is watched
  by the event loop, so no thread is needed). Payloads must stay under 8000 bytes.
- RedisBus: Redis pub/sub (redis.asyncio).

`get_message_bus(settings)` picks one from `settings.message_bus_url`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from bot.settings import Settings

logger = logging.getLogger(__name__)

Handler = Callable[[dict], Awaitable[None]]
MAX_PAYLOAD_BYTES = 7900  # PostgreSQL NOTIFY refuses payloads of 8000 bytes or more
MAX_TOPIC_LENGTH = 63  # PostgreSQL channel names are identifiers


class MessageBusError(ValueError):
    """A topic or payload the bus cannot carry."""


class MessageBus(Protocol):
    """Publish JSON payloads on topics; subscribers in any process receive them."""

    async def publish(self, topic: str, payload: dict) -> None: ...

    async def subscribe(self, topic: str, handler: Handler) -> None: ...

    async def close(self) -> None: ...


def encode(topic: str, payload: dict) -> str:
    """Check a topic and payload and give the payload as JSON; raises MessageBusError."""
    if not topic or len(topic) > MAX_TOPIC_LENGTH or not topic.isprintable() or '"' in topic:
        raise MessageBusError(f"unusable topic {topic!r}")
    try:
        text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError) as error:
        raise MessageBusError(f"payload is not JSON: {error}") from None
    if len(text.encode("utf-8")) > MAX_PAYLOAD_BYTES:
        raise MessageBusError("payload is too large for the bus")
    return text


class _Handlers:
    """Handlers by topic, each called in turn; one failing handler does not stop the rest."""

    def __init__(self) -> None:
        self._by_topic: dict[str, list[Handler]] = defaultdict(list)

    def topics(self) -> list[str]:
        """The topics with at least one handler."""
        return [topic for topic, handlers in self._by_topic.items() if handlers]

    def add(self, topic: str, handler: Handler) -> bool:
        """Add a handler; True when it is the topic's first."""
        self._by_topic[topic].append(handler)
        return len(self._by_topic[topic]) == 1

    async def dispatch(self, topic: str, text: str) -> None:
        try:
            payload = json.loads(text)
        except ValueError:
            logger.warning("message bus: dropped a malformed payload on %s", topic)
            return
        for handler in list(self._by_topic.get(topic, ())):
            try:
                await handler(dict(payload))
            except Exception:
                logger.exception("message bus: a handler for %s failed", topic)


class InProcessBus:
    """Delivery inside this process only: the default when one server runs everything."""

    def __init__(self) -> None:
        self._handlers = _Handlers()

    async def publish(self, topic: str, payload: dict) -> None:
        """Run every handler of `topic` with a copy of the payload (round-tripped through JSON)."""
        await self._handlers.dispatch(topic, encode(topic, payload))

    async def subscribe(self, topic: str, handler: Handler) -> None:
        """Call `handler` for every payload published on `topic` from now on."""
        encode(topic, {})
        self._handlers.add(topic, handler)

    async def close(self) -> None:
        """Nothing to release."""


def _psycopg2_dsn(url: str) -> str:
    # SQLAlchemy-style URLs name the driver; libpq does not understand that part.
    scheme, _, rest = url.partition("://")
    return "postgresql://" + rest if scheme.startswith("postgres") else url


class PostgresBus:
    """PostgreSQL LISTEN/NOTIFY: every server listening on a topic gets each payload.

    If the listening connection drops, it reconnects (with backoff) and listens again;
    notifications sent while it was down are lost, as LISTEN/NOTIFY keeps no backlog.
    """

    def __init__(self, url: str) -> None:
        self._dsn = _psycopg2_dsn(url)
        self._handlers = _Handlers()
        self._listener: Any = None
        self._listener_fd: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._reconnecting: asyncio.Task | None = None
        self._closed = False

    def _notify(self, topic: str, text: str) -> None:
        import psycopg2

        connection = psycopg2.connect(self._dsn)
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_notify(%s, %s)", (topic, text))
        finally:
            connection.close()

    async def publish(self, topic: str, payload: dict) -> None:
        """NOTIFY every listening server (a short-lived connection, in a worker thread)."""
        text = encode(topic, payload)
        await asyncio.to_thread(self._notify, topic, text)

    def _connect_listener(self, topics: list[str]) -> Any:
        import psycopg2

        connection = psycopg2.connect(self._dsn)
        connection.autocommit = True
        with connection.cursor() as cursor:
            for topic in topics:
                cursor.execute(f'LISTEN "{topic}"')
        return connection

    async def _listen(self) -> None:
        self._loop = asyncio.get_running_loop()
        listener = await asyncio.to_thread(self._connect_listener, self._handlers.topics())
        self._listener, self._listener_fd = listener, listener.fileno()
        self._loop.add_reader(self._listener_fd, self._on_readable)

    async def subscribe(self, topic: str, handler: Handler) -> None:
        """LISTEN on `topic`; the loop reads notifications as they arrive."""
        encode(topic, {})
        first = self._handlers.add(topic, handler)
        if self._listener is None:
            if self._reconnecting is None:
                await self._listen()
        elif first:
            with self._listener.cursor() as cursor:
                cursor.execute(f'LISTEN "{topic}"')

    def _on_readable(self) -> None:
        try:
            self._listener.poll()
        except Exception:
            logger.warning("message bus: lost the PostgreSQL listener; reconnecting")
            self._drop_listener()
            assert self._loop is not None
            self._reconnecting = self._loop.create_task(self._reconnect())
            return
        assert self._loop is not None
        while self._listener.notifies:
            notice = self._listener.notifies.pop(0)
            self._loop.create_task(self._handlers.dispatch(notice.channel, notice.payload))

    def _drop_listener(self) -> None:
        if self._loop is not None and self._listener_fd is not None:
            self._loop.remove_reader(self._listener_fd)
        if self._listener is not None:
            with contextlib.suppress(Exception):
                self._listener.close()
        self._listener, self._listener_fd = None, None

    async def _reconnect(self) -> None:
        delay = 0.2
        while not self._closed:
            try:
                await self._listen()
                logger.info("message bus: listening on PostgreSQL again")
                break
            except Exception:
                logger.warning("message bus: PostgreSQL listener reconnect failed; retrying")
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
        self._reconnecting = None

    async def close(self) -> None:
        """Stop listening and close the connection."""
        self._closed = True
        if self._reconnecting is not None:
            self._reconnecting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reconnecting
        self._drop_listener()


class RedisBus:
    """Redis pub/sub: every server subscribed to a topic gets each payload."""

    def __init__(self, url: str) -> None:
        import redis.asyncio as redis

        self._client = redis.Redis.from_url(url)
        self._pubsub: Any = None
        self._reader: asyncio.Task | None = None
        self._handlers = _Handlers()

    async def publish(self, topic: str, payload: dict) -> None:
        """PUBLISH the payload as JSON."""
        await self._client.publish(topic, encode(topic, payload))

    async def subscribe(self, topic: str, handler: Handler) -> None:
        """SUBSCRIBE to `topic`; a background task reads and dispatches messages."""
        encode(topic, {})
        if self._pubsub is None:
            self._pubsub = self._client.pubsub(ignore_subscribe_messages=True)
        if self._handlers.add(topic, handler):
            await self._pubsub.subscribe(topic)
        if self._reader is None:
            self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        while True:
            try:
                message = await self._pubsub.get_message(timeout=1.0)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("message bus: reading from Redis failed")
                await asyncio.sleep(1)
                continue
            if message and message.get("type") == "message":
                channel, data = message["channel"], message["data"]
                await self._handlers.dispatch(
                    channel.decode() if isinstance(channel, bytes) else channel,
                    data.decode() if isinstance(data, bytes) else data,
                )

    async def close(self) -> None:
        """Stop reading, unsubscribe and close the connections."""
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
            self._reader = None
        if self._pubsub is not None:
            await self._pubsub.close()
        await self._client.close()


def make_message_bus(url: str) -> MessageBus:
    """A bus for `url`: "" in-process, postgresql://... LISTEN/NOTIFY, redis://... pub/sub."""
    if not url:
        return InProcessBus()
    if url.startswith("postgres"):
        return PostgresBus(url)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisBus(url)
    raise MessageBusError("MESSAGE_BUS_URL must be empty, postgresql://... or redis://...")


def get_message_bus(settings: Settings) -> MessageBus:
    """The bus the settings ask for (a new one per call: keep it on the app)."""
    return make_message_bus(settings.message_bus_url)
