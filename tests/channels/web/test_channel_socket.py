"""The chat channel through a real WebSocket client against a real server on loopback."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import pytest
import websockets

from channels.web.frames import MAX_TEXT_CHARS


async def next_frame(ws: Any, kind: str | None = None, timeout: float = 10.0) -> dict[str, Any]:
    """The next frame (of `kind`, skipping others)."""
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), timeout))
        if kind is None or frame["type"] == kind:
            return frame


async def say(ws: Any, text: str, payload: str | None = None) -> None:
    frame: dict[str, Any] = {"type": "message", "text": text}
    if payload:
        frame["payload"] = payload
    await ws.send(json.dumps(frame))


async def test_a_new_conversation_starts_with_an_empty_history(chat_server) -> None:
    async with websockets.connect(chat_server.ws_url(str(uuid.uuid4()))) as ws:
        assert await next_frame(ws) == {"type": "history", "messages": []}


async def test_a_message_gets_a_typing_indicator_then_the_bot_reply(chat_server) -> None:
    async with websockets.connect(chat_server.ws_url(str(uuid.uuid4()))) as ws:
        await next_frame(ws, "history")
        await say(ws, "hello there")
        assert await next_frame(ws) == {"type": "typing"}
        assert await next_frame(ws) == {
            "type": "bot",
            "text": "You said: hello there",
            "buttons": [],
        }


async def test_buttons_reach_the_browser_and_a_pressed_button_sends_its_payload(
    chat_server,
) -> None:
    async with websockets.connect(chat_server.ws_url(str(uuid.uuid4()))) as ws:
        await next_frame(ws, "history")
        await say(ws, "buttons")
        reply = await next_frame(ws, "bot")
        assert reply["buttons"] == [
            {"title": "Yes", "payload": "/affirm"},
            {"title": "No", "payload": "/deny"},
        ]
        await say(ws, "Yes", payload="/affirm")
        assert (await next_frame(ws, "bot"))["text"] == "You chose /affirm"


async def test_reconnecting_with_the_same_session_returns_the_conversation_so_far(
    chat_server,
) -> None:
    session = str(uuid.uuid4())
    async with websockets.connect(chat_server.ws_url(session)) as ws:
        await next_frame(ws, "history")
        await say(ws, "first question")
        await next_frame(ws, "bot")
        await say(ws, "Yes", payload="/affirm")
        await next_frame(ws, "bot")
    async with websockets.connect(chat_server.ws_url(session)) as ws:
        history = await next_frame(ws)
    assert history["type"] == "history"
    assert history["messages"] == [
        {"type": "user", "text": "first question"},
        {"type": "bot", "text": "You said: first question", "buttons": []},
        {"type": "user", "text": "Yes"},  # the button's title, not its payload
        {"type": "bot", "text": "You chose /affirm", "buttons": []},
    ]


async def test_the_conversation_survives_a_server_restart(fresh_chat_server) -> None:
    chat_server = fresh_chat_server
    session = str(uuid.uuid4())
    async with websockets.connect(chat_server.ws_url(session)) as ws:
        await next_frame(ws, "history")
        await say(ws, "before the restart")
        await next_frame(ws, "bot")
    chat_server.restart()
    async with websockets.connect(chat_server.ws_url(session)) as ws:
        history = await next_frame(ws, "history")
    assert {"type": "user", "text": "before the restart"} in history["messages"]


async def test_other_conversations_do_not_see_each_others_messages(chat_server) -> None:
    async with (
        websockets.connect(chat_server.ws_url(str(uuid.uuid4()))) as first,
        websockets.connect(chat_server.ws_url(str(uuid.uuid4()))) as second,
    ):
        await next_frame(first, "history")
        await next_frame(second, "history")
        await say(first, "only for me")
        await next_frame(first, "bot")
        with pytest.raises(asyncio.TimeoutError):
            await next_frame(second, timeout=0.5)


async def test_every_tab_of_one_conversation_gets_the_reply_and_the_residents_words(
    chat_server,
) -> None:
    session = str(uuid.uuid4())
    async with (
        websockets.connect(chat_server.ws_url(session)) as tab1,
        websockets.connect(chat_server.ws_url(session)) as tab2,
    ):
        await next_frame(tab1, "history")
        await next_frame(tab2, "history")
        await say(tab1, "from tab one")
        assert await next_frame(tab2, "user") == {"type": "user", "text": "from tab one"}
        assert (await next_frame(tab2, "bot"))["text"] == "You said: from tab one"
        assert (await next_frame(tab1, "bot"))["text"] == "You said: from tab one"


@pytest.mark.parametrize(
    "session",
    [
        "",
        "not-a-uuid",
        "123e4567-e89b-12d3-a456-42661417400",
        "x" * 5000,
        "{123e4567-e89b-12d3-a456-426614174000}",
        "123E4567-E89B-12D3-A456-426614174000",
    ],
)
async def test_a_session_id_that_is_not_a_canonical_uuid_is_refused_with_an_error_frame(
    chat_server, session: str
) -> None:
    async with websockets.connect(chat_server.ws_url(session)) as ws:
        frame = await next_frame(ws)
        assert frame["type"] == "error" and frame["code"] == "bad_session"
        assert "Reload the page" in frame["message"]
        with pytest.raises(websockets.ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 5)
        assert ws.close_code == 1008


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("not json", "bad_frame"),
        ("[1, 2]", "bad_frame"),
        (json.dumps({"type": "hello", "text": "hi"}), "bad_frame"),
        (json.dumps({"type": "message", "text": 5}), "bad_frame"),
        (json.dumps({"type": "message", "text": "   "}), "empty"),
        (json.dumps({"type": "message", "text": "a" * (MAX_TEXT_CHARS + 1)}), "too_long"),
        (json.dumps({"type": "message", "text": "Yes", "payload": "affirm"}), "bad_frame"),
        ("x" * 10_000, "too_long"),
    ],
)
async def test_a_malformed_frame_gets_a_clear_error_and_the_chat_carries_on(
    chat_server, raw: str, code: str
) -> None:
    async with websockets.connect(chat_server.ws_url(str(uuid.uuid4()))) as ws:
        await next_frame(ws, "history")
        await ws.send(raw)
        frame = await next_frame(ws)
        assert frame["type"] == "error" and frame["code"] == code and frame["message"]
        await say(ws, "still here")
        assert (await next_frame(ws, "bot"))["text"] == "You said: still here"


async def test_refused_frames_never_reach_the_assistant(chat_server) -> None:
    session = str(uuid.uuid4())
    async with websockets.connect(chat_server.ws_url(session)) as ws:
        await next_frame(ws, "history")
        await ws.send(json.dumps({"type": "message", "text": "a" * (MAX_TEXT_CHARS + 1)}))
        await next_frame(ws, "error")
    async with websockets.connect(chat_server.ws_url(session)) as ws:
        assert (await next_frame(ws, "history"))["messages"] == []


async def test_a_connection_sending_too_fast_is_told_to_slow_down(chat_server) -> None:
    async with websockets.connect(chat_server.ws_url(str(uuid.uuid4()))) as ws:
        await next_frame(ws, "history")
        for n in range(11):
            await say(ws, f"message {n}")
        # Each accepted message: typing, the reply, idle (turn over); then one refusal.
        frames = [await next_frame(ws) for _ in range(31)]
        errors = [f for f in frames if f["type"] == "error"]
        replies = [f for f in frames if f["type"] == "bot"]
        assert len(replies) == 10
        assert len([f for f in frames if f["type"] == "idle"]) == 10
        assert len(errors) == 1 and errors[0]["code"] == "rate_limited"


async def test_a_message_pushed_later_through_deliver_reaches_the_open_chat(chat_server) -> None:
    async with websockets.connect(chat_server.ws_url(str(uuid.uuid4()))) as ws:
        await next_frame(ws, "history")
        await say(ws, "later")
        assert (await next_frame(ws, "bot"))["text"] == "You said: later"
        assert (await next_frame(ws, "bot"))["text"] == "Staff: hello from the team"


async def test_one_conversation_cannot_hold_more_than_ten_open_sockets(chat_server) -> None:
    session = str(uuid.uuid4())
    tabs = [await websockets.connect(chat_server.ws_url(session)) for _ in range(10)]
    try:
        for tab in tabs:
            await next_frame(tab, "history")
        async with websockets.connect(chat_server.ws_url(session)) as extra:
            frame = await next_frame(extra)
            assert frame["type"] == "error" and frame["code"] == "too_many_tabs"
        await tabs[0].close()
        await asyncio.sleep(0.2)
        async with websockets.connect(chat_server.ws_url(session)) as replacement:
            assert (await next_frame(replacement))["type"] == "history"
    finally:
        for tab in tabs:
            await tab.close()
