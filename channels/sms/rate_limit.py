"""A per-number sliding-window limit, so one number cannot flood the assistant."""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.rate_limits import KeyedRateLimit


class RateLimiter(KeyedRateLimit):
    """Allows at most `limit` texts per number in any `window_seconds` (bot/rate_limits.py:
    kept in memory per process, the least recently seen numbers forgotten past
    `max_numbers`), and says when a refused number should be told."""

    def __init__(
        self,
        limit: int,
        window_seconds: float = 60.0,
        max_numbers: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(limit, window_seconds, max_keys=max_numbers, clock=clock)
        self._warned: dict[str, float] = {}

    def first_refusal(self, key: str) -> bool:
        """True once per window for a refused number: tell them once, not every time."""
        now = self._clock()
        last = self._warned.get(key)
        if last is not None and last > now - self.window:
            return False
        self._warned[key] = now
        return True

    def _forgotten(self, key: str) -> None:
        self._warned.pop(key, None)
