"""Sliding-window limits per key (bot/rate_limits.py)."""

from __future__ import annotations

from bot.rate_limits import KeyedRateLimit


def test_a_key_gets_a_burst_then_waits_for_the_window():
    now = [0.0]
    limit = KeyedRateLimit(limit=3, window=10.0, clock=lambda: now[0])
    assert [limit.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limit.allow("b") is True  # another key has its own count
    now[0] = 10.0
    assert limit.allow("a") is True


def test_refused_events_do_not_extend_the_wait():
    now = [0.0]
    limit = KeyedRateLimit(limit=1, window=10.0, clock=lambda: now[0])
    assert limit.allow("a")
    now[0] = 9.0
    assert not limit.allow("a")
    now[0] = 10.0
    assert limit.allow("a")


def test_a_flood_of_new_keys_keeps_only_the_most_recent():
    limit = KeyedRateLimit(limit=1, window=60.0, max_keys=100)
    for n in range(1000):
        limit.allow(f"key-{n}")
    assert len(limit._events) == 100
    assert not limit.allow("key-999")  # recent keys are still counted
