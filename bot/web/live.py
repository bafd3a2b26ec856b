"""Live updates for signed-in staff: bus events fanned out to each open event stream.

One bus subscription per server ("staff.queue"); each browser's server-sent-events
stream gets its own bounded queue, so a slow browser cannot hold up the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncGenerator

from bot.services.message_bus import MessageBus

QUEUE_TOPIC = "staff.queue"
HEARTBEAT_SECONDS = 15.0
MAX_PENDING = 100


class LiveUpdates:
    """Receives "staff.queue" events from the bus and hands them to every open stream."""

    def __init__(self, bus: MessageBus) -> None:
        self._bus = bus
        self._listeners: set[asyncio.Queue[dict]] = set()
        self._subscribed = False

    async def start(self) -> None:
        """Subscribe to the bus once (called when the server starts)."""
        if not self._subscribed:
            self._subscribed = True
            await self._bus.subscribe(QUEUE_TOPIC, self._fan_out)

    async def _fan_out(self, payload: dict) -> None:
        for listener in list(self._listeners):
            with contextlib.suppress(asyncio.QueueFull):
                listener.put_nowait(payload)

    @property
    def listener_count(self) -> int:
        return len(self._listeners)

    async def stream(self, heartbeat: float = HEARTBEAT_SECONDS) -> AsyncGenerator[str, None]:
        """Server-sent-event lines: each bus event as `event: queue`, with comment heartbeats."""
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
