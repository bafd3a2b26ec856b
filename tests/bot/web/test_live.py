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


async def test_a_ticket_opened_where_the_bus_does_not_reach_still_reaches_open_streams(
    migrated_engine,
):
    # The action server opens tickets in its own process: nothing is published on this
    # server's bus, so the server watches the queue's state in the database.
    from staff_browser import open_ticket

    live = LiveUpdates(InProcessBus(), migrated_engine, poll_seconds=0.05)
    await live.start()
    stream = live.stream(heartbeat=0.5)
    try:
        assert await stream.__anext__() == "retry: 3000\n\n"
        first = await asyncio.wait_for(stream.__anext__(), 2)  # the first look at the queue
        assert first.startswith("event: queue\n")
        assert await asyncio.wait_for(stream.__anext__(), 2) == ": still here\n\n"  # no change
        ticket = await asyncio.to_thread(open_ticket, migrated_engine, "from-the-action-server")
        event = await asyncio.wait_for(stream.__anext__(), 2)
        assert event == f'event: queue\ndata: {{"kind": "changed", "ticket_id": {ticket}}}\n\n'
    finally:
        await stream.aclose()
        await live.stop()
    assert live.listener_count == 0
