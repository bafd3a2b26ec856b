"""Sliding-window limits per key (a conversation, a client address), kept in memory.

Each server process keeps its own counts: behind several servers a client gets the limit
at each of them, which still bounds it. The oldest keys are forgotten past `max_keys`, so
a flood of new keys cannot grow memory without end.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable


class KeyedRateLimit:
    """At most `limit` events per key in any `window` seconds."""

    def __init__(
        self,
        limit: int,
        window: float,
        max_keys: int = 50_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if limit < 1:
            raise ValueError("the limit must be at least 1")
        self.limit, self.window, self.max_keys = limit, window, max_keys
        self._clock = clock
        self._events: OrderedDict[str, deque[float]] = OrderedDict()

    def allow(self, key: str) -> bool:
        """True, and counts the event, if `key` may have one more now."""
        now = self._clock()
        events = self._events.pop(key, None) or deque()
        while events and now - events[0] >= self.window:
            events.popleft()
        allowed = len(events) < self.limit
        if allowed:
            events.append(now)
        self._events[key] = events  # most recently used last
        while len(self._events) > self.max_keys:
            oldest, _ = self._events.popitem(last=False)
            self._forgotten(oldest)
        return allowed

    def _forgotten(self, key: str) -> None:
        """Called for a key dropped past `max_keys` (subclasses keep more per key)."""
