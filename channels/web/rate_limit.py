"""How many messages one chat connection may send: a sliding window per socket."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class MessageRateLimit:
    """Allow at most `limit` messages in any `window` seconds."""

    def __init__(
        self, limit: int = 10, window: float = 30.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._limit = limit
        self._window = window
        self._clock = clock
        self._sent: deque[float] = deque()

    def allow(self) -> bool:
        """True, and counts the message, if one more is allowed now."""
        now = self._clock()
        while self._sent and now - self._sent[0] >= self._window:
            self._sent.popleft()
        if len(self._sent) >= self._limit:
            return False
        self._sent.append(now)
        return True
