"""Which open WebSockets belong to which conversation, in this process.

A resident may have the chat open in several tabs: every socket holding the same
session id gets every message. Other code (staff replies from the handoff queue)
reaches a resident through `deliver`.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import defaultdict
from typing import Any, Protocol

logger = logging.getLogger(__name__)


class Socket(Protocol):
    """The part of a WebSocket the registry uses."""

    async def send(self, message: str) -> None: ...


class ConnectionRegistry:
    """sender_id -> the open sockets of that conversation."""

    def __init__(self) -> None:
        self._sockets: dict[str, set[Socket]] = defaultdict(set)

    def add(self, sender_id: str, socket: Socket) -> None:
        """Remember an open socket for a conversation."""
        self._sockets[sender_id].add(socket)

    def remove(self, sender_id: str, socket: Socket) -> None:
        """Forget a socket (it closed); forgets the conversation when it has none left."""
        sockets = self._sockets.get(sender_id)
        if sockets is None:
            return
        sockets.discard(socket)
        if not sockets:
            del self._sockets[sender_id]

    def sockets(self, sender_id: str) -> list[Socket]:
        """The open sockets of a conversation (a copy, safe to iterate while sending)."""
        return list(self._sockets.get(sender_id, ()))

    def count(self, sender_id: str) -> int:
        return len(self._sockets.get(sender_id, ()))

    async def deliver(self, sender_id: str, message: dict[str, Any]) -> bool:
        """Send one frame to every socket of `sender_id`; True if at least one took it."""
        sockets = self.sockets(sender_id)
        if not sockets:
            return False
        text = json.dumps(message, ensure_ascii=False)
        results = await asyncio.gather(
            *(socket.send(text) for socket in sockets), return_exceptions=True
        )
        delivered = False
        for socket, result in zip(sockets, results, strict=True):
            if isinstance(result, BaseException):
                # A socket that cannot take a message is gone: the browser reconnects.
                logger.info("webchat: dropping a closed socket (%s)", type(result).__name__)
                self.remove(sender_id, socket)
            else:
                delivered = True
        return delivered


REGISTRY = ConnectionRegistry()


async def deliver(sender_id: str, message: dict[str, Any]) -> bool:
    """Send a frame (e.g. {"type": "bot", "text": ...}) to a resident's open chat.

    Returns False when no socket of that conversation is open in this process;
    the message is then shown from the tracker's history when the chat reconnects
    only if it was also written to the tracker by the caller.
    """
    return await REGISTRY.deliver(sender_id, message)
