"""Live updates: bus events become server-sent events on every open stream."""

import asyncio

from bot.services.message_bus import InProcessBus
from bot.web.live import QUEUE_TOPIC, LiveUpdates


async def test_each_open_stream_gets_queue_events_and_heartbeats():
    bus = InProcessBus()
    live = LiveUpdates(bus)
    await live.start()
    await live.start()  # idempotent: one subscription per server
    first, second = live.stream(heartbeat=0.05), live.stream(heartbeat=0.05)
    assert await first.__anext__() == "retry: 3000\n\n"
    assert await second.__anext__() == "retry: 3000\n\n"
    assert live.listener_count == 2
    await bus.publish(QUEUE_TOPIC, {"kind": "claim", "ticket_id": 3})
    expected = 'event: queue\ndata: {"kind": "claim", "ticket_id": 3}\n\n'
    assert await first.__anext__() == expected
    assert await second.__anext__() == expected
    assert await asyncio.wait_for(first.__anext__(), 1) == ": still here\n\n"
    await first.aclose()
    await second.aclose()
    assert live.listener_count == 0
    await bus.publish(QUEUE_TOPIC, {"kind": "note", "ticket_id": 3})  # nobody left: no error
