"""Live updates for signed-in staff: bus events fanned out to each open event stream.

One bus subscription per server ("staff.queue"); each browser's server-sent-events
stream gets its own bounded queue, so a slow browser cannot hold up the others.

Not every change reaches the bus: the action server opens tickets in its own process (and
its own bus, when none is shared). So while any stream is open, each server also looks at
the queue's state in the database every `POLL_SECONDS` (one small query per server, not per
browser) and sends a `changed` event when it differs: a new ticket appears on open queue
pages within a few seconds wherever it was opened.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncGenerator
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from bot.db.handoff import HandoffTicket
from bot.services.handoff_queue import OPEN_STATUSES
from bot.services.message_bus import MessageBus

logger = logging.getLogger(__name__)

QUEUE_TOPIC = "staff.queue"
HEARTBEAT_SECONDS = 15.0
POLL_SECONDS = 2.0
MAX_PENDING = 100

_TICKETS = HandoffTicket.__table__
_OPEN = _TICKETS.c.status.in_(OPEN_STATUSES)
# The newest ticket, and the open tickets' number, urgency and latest claim or close.
_QUEUE_STATE = select(
    func.max(_TICKETS.c.id),
    func.count().filter(_OPEN),
    func.count().filter(_OPEN & (_TICKETS.c.priority == "urgent")),
    func.count().filter(_TICKETS.c.status == "claimed"),
    func.max(_TICKETS.c.claimed_at),
    func.max(_TICKETS.c.closed_at),
)


def queue_state(engine: Engine) -> tuple[Any, ...]:
    """What the queue looks like now, as a tuple that changes whenever a page would."""
    with engine.connect() as connection:
        row = connection.execute(_QUEUE_STATE).one()
    return tuple(row)


class LiveUpdates:
    """Receives "staff.queue" events from the bus and hands them to every open stream."""

    def __init__(
        self, bus: MessageBus, engine: Engine | None = None, poll_seconds: float = POLL_SECONDS
    ) -> None:
        self._bus = bus
        self._engine = engine
        self._poll_seconds = poll_seconds
        self._listeners: set[asyncio.Queue[dict]] = set()
        self._subscribed = False
        self._watcher: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Subscribe to the bus once (called when the server starts), and watch the
        database for changes made where the bus does not reach."""
        if not self._subscribed:
            self._subscribed = True
            await self._bus.subscribe(QUEUE_TOPIC, self._fan_out)
        if self._engine is not None and self._watcher is None:
            self._watcher = asyncio.create_task(self._watch(self._engine))

    async def stop(self) -> None:
        """Stop watching the database (called when the server stops)."""
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher

    async def _watch(self, engine: Engine) -> None:
        seen: tuple[Any, ...] | None = None
        while True:
            await asyncio.sleep(self._poll_seconds)
            if not self._listeners:
                continue
            try:
                state = await asyncio.to_thread(queue_state, engine)
            except Exception:  # noqa: BLE001 - a database blip must not end live updates
                logger.exception("live updates: could not read the queue's state")
                continue
            if state != seen:  # the first look too: pages may have missed a change
                await self._fan_out({"kind": "changed", "ticket_id": state[0]})
            seen = state

    async def _fan_out(self, payload: dict) -> None:
        for listener in list(self._listeners):
            with contextlib.suppress(asyncio.QueueFull):
                listener.put_nowait(payload)

    @property
    def listener_count(self) -> int:
        return len(self._listeners)

    async def stream(self, heartbeat: float = HEARTBEAT_SECONDS) -> AsyncGenerator[str, None]:
        """Server-sent event lines: each bus event as `event: queue`, with comment heartbeats."""
        listener: asyncio.Queue[dict] = asyncio.Queue(MAX_PENDING)
        self._listeners.add(listener)
        try:
            yield "retry: 3000\n\n"
            while True:
                try:
                    payload = await asyncio.wait_for(listener.get(), heartbeat)
                except asyncio.TimeoutError:
                    yield ": still here\n\n"
                    continue
                yield f"event: queue\ndata: {json.dumps(payload)}\n\n"
        finally:
            self._listeners.discard(listener)
