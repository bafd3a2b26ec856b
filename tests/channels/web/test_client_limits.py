"""The widget's limits hold across reconnections and across conversations of one address
(channels/web/rate_limit.py), on a real chat server on loopback.

The limited server trusts 127.0.0.1 as its proxy, so each test plays residents at
different addresses with X-Forwarded-For, as a council's TLS proxy would send it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import websockets

from tests.channels.web.conftest import ChatServer, _serve
from tests.channels.web.test_channel_socket import next_frame, say

SOCKETS, MESSAGES = 3, 15


@pytest.fixture(scope="module")
def limited_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChatServer]:
    yield from _serve(
        tmp_path_factory.mktemp("limited-chat"),
        {
            "TRUSTED_PROXIES": "127.0.0.1",
            "WEBCHAT_CLIENT_SOCKETS": str(SOCKETS),
            "WEBCHAT_CLIENT_MESSAGES_PER_MINUTE": str(MESSAGES),
        },
    )


def connect(server: ChatServer, session: str, address: str) -> Any:
    return websockets.connect(server.ws_url(session), extra_headers={"X-Forwarded-For": address})


async def send_and_answer(ws: Any, text: str) -> dict[str, Any]:
    """Send a message; the echo's reply, or the refusal."""
    await say(ws, text)
    while True:
        frame = await next_frame(ws)
        if frame["type"] in ("bot", "error"):
            return frame


async def test_reconnecting_does_not_reset_the_conversations_message_limit(chat_server):
    session = str(uuid.uuid4())
    async with websockets.connect(chat_server.ws_url(session)) as ws:
        await next_frame(ws, "history")
        for n in range(10):
            assert (await send_and_answer(ws, f"message {n}"))["type"] == "bot"
    async with websockets.connect(chat_server.ws_url(session)) as again:
        await next_frame(again, "history")
        refused = await send_and_answer(again, "one more")
    assert (
        refused == {"type": "error", "code": "rate_limited", "message": refused["message"]}
        and refused["message"]
    )


async def test_one_address_cannot_open_chats_without_end(limited_server):
    address = "203.0.113.7"
    opened = [
        await connect(limited_server, str(uuid.uuid4()), address).__aenter__()
        for _ in range(SOCKETS)
    ]
    try:
        for ws in opened:
            await next_frame(ws, "history")
        async with connect(limited_server, str(uuid.uuid4()), address) as extra:
            assert (await next_frame(extra))["code"] == "too_many_tabs"
        # Another resident, at another address, is not affected.
        async with connect(limited_server, str(uuid.uuid4()), "203.0.113.8") as other:
            assert (await next_frame(other))["type"] == "history"
        # Closing one chat frees its place.
        await opened.pop().close()
        async with connect(limited_server, str(uuid.uuid4()), address) as replacement:
            assert (await next_frame(replacement))["type"] == "history"
    finally:
        for ws in opened:
            await ws.close()


async def test_new_conversations_from_one_address_share_its_message_limit(limited_server):
    address = "203.0.113.20"
    answers = []
    for _ in range(4):  # a new session for every 4 messages: each under its own limit of 10
        async with connect(limited_server, str(uuid.uuid4()), address) as ws:
            await next_frame(ws, "history")
            for n in range(4):
                answers.append((await send_and_answer(ws, f"try {n}"))["type"])
    assert answers[:MESSAGES] == ["bot"] * MESSAGES
    assert answers[MESSAGES:] == ["error"]
    # The same messages from another address go through.
    async with connect(limited_server, str(uuid.uuid4()), "203.0.113.21") as ws:
        await next_frame(ws, "history")
        assert (await send_and_answer(ws, "hello"))["type"] == "bot"
