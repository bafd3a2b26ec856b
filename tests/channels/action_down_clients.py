"""The resident's and staff's side of the action-server-down tests: REST calls, an open
web chat socket, a phone texting the SMS simulator, and what the database and the tracker
hold afterwards (tests/channels/test_action_server_down.py)."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

import httpx
from sqlalchemy import select

from bot.content import get_content
from bot.db.handoff import HandoffTicket
from bot.db.session import make_engine, session_scope
from bot.privacy import hash_identifier
from tests import rasa_api
from tests.channels.action_down_stack import ActionDownStack


def text_of(key: str) -> str:
    """A content message as the assistant sends it (text, then its link on a line)."""
    return get_content().render(key).as_text()


def tickets(stack: ActionDownStack, conversation: str) -> list[dict[str, Any]]:
    engine = make_engine(stack.database_url)
    try:
        with session_scope(engine) as session:
            found = session.execute(
                select(HandoffTicket).where(HandoffTicket.conversation_id == conversation)
            ).scalars()
            return [
                {
                    "channel": t.channel,
                    "priority": t.priority,
                    "reason": t.reason,
                    "status": t.status,
                    "topic": t.topic,
                    "messages": [(m.author_kind, m.text) for m in t.messages],
                }
                for t in found
            ]
    finally:
        engine.dispose()


def tracker(stack: ActionDownStack, conversation: str) -> dict[str, Any]:
    answer = httpx.get(
        rasa_api.url(stack.base, f"/conversations/{conversation}/tracker"), timeout=30
    )
    return answer.json()


def actions_after_last_user_message(events: list[dict[str, Any]]) -> list[str]:
    last_user = max(i for i, e in enumerate(events) if e["event"] == "user")
    return [e["name"] for e in events[last_user:] if e["event"] == "action"]


def rest(stack: ActionDownStack, sender: str, text: str) -> tuple[list[dict[str, Any]], float]:
    started = time.monotonic()
    answer = httpx.post(
        f"{stack.base}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=120
    )
    assert answer.status_code == 200, answer.text
    return answer.json(), time.monotonic() - started


def texts(replies: list[dict[str, Any]]) -> list[str]:
    return [r.get("text") or "" for r in replies]


class Chat:
    """A resident's open chat socket: each message, then the frames until the turn ends."""

    def __init__(self, socket: Any) -> None:
        self.socket = socket

    async def history(self) -> list[dict[str, Any]]:
        frame = json.loads(await asyncio.wait_for(self.socket.recv(), 30))
        assert frame["type"] == "history"
        return list(frame["messages"])

    async def say(self, text: str, seconds: float = 60) -> list[dict[str, Any]]:
        """Send `text`; the bot frames of its turn."""
        await self.send(text)
        return await self.turn(seconds)

    async def send(self, text: str) -> None:
        await self.socket.send(json.dumps({"type": "message", "text": text}))

    async def turn(self, seconds: float = 60) -> list[dict[str, Any]]:
        """The bot frames of the next turn (until the channel says it is idle again)."""
        bot: list[dict[str, Any]] = []

        async def read() -> None:
            while True:
                frame = json.loads(await self.socket.recv())
                if frame["type"] == "idle":
                    return
                assert frame["type"] != "error", frame
                if frame["type"] == "bot":
                    bot.append(frame)

        await asyncio.wait_for(read(), seconds)
        return bot


def ws_url(stack: ActionDownStack, session: str) -> str:
    return stack.base.replace("http", "ws") + f"/webhooks/webchat/ws?session={session}"


class Phone:
    """A resident texting through the SMS simulator; reads the outbox for the replies."""

    def __init__(self, stack: ActionDownStack) -> None:
        self.base, self.seen = stack.base, 0
        self.number = f"07700900{uuid.uuid4().int % 1000:03d}"

    def text(self, body: str) -> None:
        answer = httpx.post(
            f"{self.base}/webhooks/sms/simulator",
            json={"from": self.number, "body": body},
            timeout=30,
        )
        assert answer.status_code == 202, answer.text

    def _new(self) -> list[str]:
        messages = httpx.get(
            f"{self.base}/webhooks/sms/simulator/outbox",
            timeout=30,
            params={"number": self.number, "after": self.seen},
        ).json()
        for message in messages["messages"]:
            self.seen = max(self.seen, message["id"])
        return [str(m["body"]) for m in messages["messages"]]

    async def replies(self, seconds: float = 60, quiet: float = 2.0) -> list[str]:
        """The texts that arrive for this turn: waits for one, then `quiet` for more."""
        deadline = time.monotonic() + seconds
        received: list[str] = []
        while not received and time.monotonic() < deadline:
            await asyncio.sleep(0.3)
            received = self._new()
        assert received, "no reply by text"
        await asyncio.sleep(quiet)
        return received + self._new()


def conversation_id(stack: ActionDownStack, phone: Phone) -> str:
    """The SMS conversation id: a keyed hash of the number in E.164 form, never the number."""
    return "sms:" + hash_identifier("+44" + phone.number[1:])


async def next_queue_event(lines: Any) -> dict[str, Any]:
    async for line in lines:
        if line.startswith("data: "):
            return dict(json.loads(line[len("data: ") :]))
    raise AssertionError("the event stream ended")
