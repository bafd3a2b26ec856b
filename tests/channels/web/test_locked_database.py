"""Another process holding SQLite's write locks does not hold up the assistant (issue #20).

A cron job (`python -m bot notify run-due`, `privacy retain`) can hold the write lock of the
council database or of the tracker store for seconds. Meanwhile the real Rasa server, with
the trained model and the real action server, still answers `/status` and web chats on
other conversations at once; what those turns write is stored once the lock is let go.

The issue asks for answers within 100 ms. On a shared 2-core machine a turn (language
understanding, the policies, the action server) can itself take longer, so each answer is
checked against a bound far below the time the lock is held, and all of them must come
before the lock is released: nothing waited for it. The times are printed (`-s`).
"""

from __future__ import annotations

import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
import websockets

from bot.db.migrate import upgrade
from tests import rasa_api
from tests.channels.web.rasa_server import newest_model, rasa_server
from tests.channels.web.test_channel_socket import next_frame, say
from tests.sqlite_lock import write_lock_held

pytestmark = pytest.mark.model

LOCK_SECONDS = 10.0
STATUS_BOUND = 0.5  # seconds; without the fix /status waited for the lock (5 s and more)
TURN_BOUND = 2.0  # a whole turn, model and action server included, on a loaded machine


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The Rasa server and action server with the model; SQLite council and tracker
    databases in the work folder."""
    model = newest_model()
    if model is None:
        pytest.skip("no trained model under models/")
    workdir = tmp_path_factory.mktemp("locked")
    council = f"sqlite:///{workdir / 'council.db'}"
    upgrade(council)
    with rasa_server(workdir, model, notifications_database=council, api=True) as base:
        yield base, workdir


def ws_url(base: str, session: str) -> str:
    return base.replace("http://", "ws://") + f"/webhooks/webchat/ws?session={session}"


def timed_status(base: str) -> float:
    started = time.monotonic()
    with urllib.request.urlopen(rasa_api.url(base, "/status"), timeout=30) as answer:
        assert answer.status == 200
        answer.read()
    return time.monotonic() - started


async def timed_turn(ws: websockets.WebSocketClientProtocol, text: str) -> tuple[float, str]:
    """Seconds from sending `text` to the assistant's first reply, and that reply."""
    started = time.monotonic()
    await say(ws, text)
    reply = await next_frame(ws, "bot", timeout=60)
    return time.monotonic() - started, reply["text"]


async def test_a_held_write_lock_holds_up_no_other_conversation_and_no_turn_is_lost(
    stack: tuple[str, Path],
) -> None:
    base, workdir = stack
    async with websockets.connect(ws_url(base, str(uuid.uuid4()))) as ws:  # warm up
        await next_frame(ws, "history")
        await timed_turn(ws, "hello")
        await next_frame(ws, "idle", timeout=60)
    timed_status(base)

    resident = str(uuid.uuid4())
    with ExitStack() as locks:
        released = min(
            locks.enter_context(write_lock_held(workdir / name, LOCK_SECONDS))
            for name in ("tracker.db", "council.db")
        )
        status_before = timed_status(base)
        async with websockets.connect(ws_url(base, resident)) as ws:
            await next_frame(ws, "history")
            greeting, greeting_text = await timed_turn(ws, "hello")
            # The reply is out; the turn's save now waits for the tracker store's lock.
            status_during_save = timed_status(base)
        async with websockets.connect(ws_url(base, str(uuid.uuid4()))) as ws:
            await next_frame(ws, "history")
            other, _ = await timed_turn(ws, "what can you do")
        answered_by = time.monotonic()
    print(
        f"\nwith the write locks held {LOCK_SECONDS:.0f} s: /status {status_before:.3f} s "
        f"and {status_during_save:.3f} s, chat turns {greeting:.3f} s and {other:.3f} s"
    )

    assert answered_by < released  # every answer came while the locks were still held
    assert max(status_before, status_during_save) < STATUS_BOUND
    assert max(greeting, other) < TURN_BOUND
    assert "automated assistant" in greeting_text

    # What the resident does next: carries on (Rasa takes the conversation's turns one at
    # a time, so this one follows the save of the turn made under the lock), and a reload
    # shows the whole conversation, that turn included.
    async with websockets.connect(ws_url(base, resident)) as ws:
        await next_frame(ws, "history")
        _, reply = await timed_turn(ws, "goodbye")
        assert "Goodbye" in reply
        await next_frame(ws, "idle", timeout=60)
    async with websockets.connect(ws_url(base, resident)) as ws:
        history = (await next_frame(ws, "history"))["messages"]
    assert [m["text"] for m in history if m["type"] == "user"] == ["hello", "goodbye"]
    assert "automated assistant" in history[1]["text"]
    assert "Goodbye" in history[-1]["text"]
