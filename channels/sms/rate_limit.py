"""A per-number sliding-window limit, so one number cannot flood the assistant."""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable


class RateLimiter:
    """Allows at most `limit` texts per number in any `window_seconds`.

    Kept in memory per process (flood control, not billing); the least recently
    seen numbers are forgotten past `max_numbers` so memory stays bounded.
    """

    def __init__(
        self,
        limit: int,
        window_seconds: float = 60.0,
        max_numbers: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if limit < 1:
            raise ValueError("the limit must be at least 1")
        self._limit = limit
        self._window = window_seconds
        self._max_numbers = max_numbers
        self._clock = clock
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()
        self._warned: dict[str, float] = {}

    def allow(self, key: str) -> bool:
        """Count one text from `key`; False when it is over the limit (not counted then)."""
        now = self._clock()
        times = self._seen.pop(key, None) or deque()
        while times and times[0] <= now - self._window:
            times.popleft()
        self._seen[key] = times
        while len(self._seen) > self._max_numbers:
            oldest, _ = self._seen.popitem(last=False)
            self._warned.pop(oldest, None)
        if len(times) >= self._limit:
            return False
        times.append(now)
        return True

    def first_refusal(self, key: str) -> bool:
        """True once per window for a refused number: tell them once, not every time."""
        now = self._clock()
        last = self._warned.get(key)
        if last is not None and last > now - self._window:
            return False
        self._warned[key] = now
        return True
