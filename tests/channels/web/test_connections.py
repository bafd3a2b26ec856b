"""The in-process registry of open chat sockets."""

from __future__ import annotations

import json

from channels.web.connections import ConnectionRegistry


class RecordingSocket:
    """Stands in for a browser's socket: keeps what it was sent, or fails like a closed one."""

    def __init__(self, closed: bool = False) -> None:
        self.sent: list[dict] = []
        self.closed = closed

    async def send(self, message: str) -> None:
        if self.closed:
            raise ConnectionError("socket closed")
        self.sent.append(json.loads(message))


async def test_deliver_reaches_every_socket_of_the_conversation_and_no_other() -> None:
    registry = ConnectionRegistry()
    tab1, tab2, stranger = RecordingSocket(), RecordingSocket(), RecordingSocket()
    registry.add("a", tab1)
    registry.add("a", tab2)
    registry.add("b", stranger)
    assert await registry.deliver("a", {"type": "bot", "text": "hi"}) is True
    assert tab1.sent == tab2.sent == [{"type": "bot", "text": "hi"}]
    assert stranger.sent == []


async def test_deliver_to_a_conversation_with_no_open_socket_says_so() -> None:
    assert await ConnectionRegistry().deliver("nobody", {"type": "bot", "text": "hi"}) is False


async def test_a_socket_that_fails_is_forgotten_and_the_others_still_get_the_message() -> None:
    registry = ConnectionRegistry()
    dead, alive = RecordingSocket(closed=True), RecordingSocket()
    registry.add("a", dead)
    registry.add("a", alive)
    assert await registry.deliver("a", {"type": "typing"}) is True
    assert registry.sockets("a") == [alive]
    registry.remove("a", alive)
    assert registry.count("a") == 0
    assert await registry.deliver("a", {"type": "typing"}) is False
