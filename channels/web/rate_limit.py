"""How much one chat conversation, and one client address, may do in the widget.

- Messages per conversation: 10 in any 30 seconds, across all its sockets (tabs), so
  reconnecting does not start a new count.
- Messages per client address (the real address behind trusted proxies): the settings'
  WEBCHAT_CLIENT_MESSAGES_PER_MINUTE, across every conversation it opens.
- Open sockets per client address: WEBCHAT_CLIENT_SOCKETS (a household's devices and tabs;
  a script opening hundreds is refused).
Counts are kept per server process (bot/rate_limits.py).
"""

from __future__ import annotations

from collections import Counter

from bot.rate_limits import KeyedRateLimit
from bot.settings import Settings, get_settings

CONVERSATION_MESSAGES = 10
CONVERSATION_WINDOW_SECONDS = 30.0


class WebChatLimits:
    """The widget's limits for one server process."""

    def __init__(self, settings: Settings | None = None) -> None:
        settings = settings or get_settings()
        self.conversations = KeyedRateLimit(CONVERSATION_MESSAGES, CONVERSATION_WINDOW_SECONDS)
        self.clients = KeyedRateLimit(settings.webchat_client_messages_per_minute, 60.0)
        self.max_sockets_per_client = settings.webchat_client_sockets
        self._sockets: Counter[str] = Counter()

    def open_socket(self, client: str) -> bool:
        """Count a new socket from `client`; False (not counted) when it has too many open."""
        if self._sockets[client] >= self.max_sockets_per_client:
            return False
        self._sockets[client] += 1
        return True

    def close_socket(self, client: str) -> None:
        self._sockets[client] -= 1
        if self._sockets[client] <= 0:
            del self._sockets[client]

    def allow_message(self, conversation: str, client: str) -> bool:
        """Whether one more message may go on, counted against both; False says slow down."""
        return self.conversations.allow(conversation) and self.clients.allow(client)
