"""A resident and an advisor on the real stack, for the handoff cycle tests: the resident
by REST, in the web chat (WebSocket) or by text (the SMS simulator), the advisor through
the staff queue's JSON API. Every reply is read as the resident would read it."""

from __future__ import annotations

import asyncio
import json
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import websockets
from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.clock import now
from bot.db.handoff import HandoffTicket
from bot.db.session import make_engine, session_scope
from bot.privacy import hash_identifier
from bot.web.auth import create_staff
from tests import rasa_api
from tests.channels.handoff_stack import STAFF_PASSWORD, handoff_stack

SECONDS = 60


@contextmanager
def stack_with_an_advisor(workdir: Path, loaded_sqlite: Path) -> Iterator[SimpleNamespace]:
    """The real servers (tests/channels/handoff_stack.py) on a copy of `loaded_sqlite` (the
    demo council's database), with one advisor, "ann", signed in: base, engine, ann."""
    path = workdir / "council.db"
    shutil.copyfile(loaded_sqlite, path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    with session_scope(engine) as session:
        create_staff(session, "ann", "advisor", STAFF_PASSWORD, now())
    try:
        with handoff_stack(workdir, url) as [base]:
            yield SimpleNamespace(base=base, engine=engine, ann=Advisor(base, "ann"))
    finally:
        engine.dispose()


class Advisor:
    """An advisor signed in to the staff queue's JSON API."""

    def __init__(self, base: str, username: str) -> None:
        self.http = httpx.Client(base_url=base, timeout=30)
        token = self.http.get("/staff/api/session/csrf").json()["csrf_token"]
        answer = self.http.post(
            "/staff/api/session",
            headers={"X-CSRF-Token": token},
            json={"username": username, "password": STAFF_PASSWORD},
        )
        assert answer.status_code == 200, answer.text
        self.csrf = answer.json()["csrf_token"]

    def open_ticket_of(self, conversation_id: str) -> dict[str, Any]:
        """The conversation's open ticket, as the queue lists it."""
        answer = self.http.get("/staff/api/tickets")
        assert answer.status_code == 200, answer.text
        [ticket] = [t for t in answer.json()["tickets"] if t["conversation_id"] == conversation_id]
        return dict(ticket)

    def ticket(self, ticket_id: int) -> dict[str, Any]:
        answer = self.http.get(f"/staff/api/tickets/{ticket_id}")
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    def post(self, path: str, body: dict | None = None) -> httpx.Response:
        answer = self.http.post(path, json=body or {}, headers={"X-CSRF-Token": self.csrf})
        assert answer.status_code == 200, answer.text
        return answer

    def claim_and_resolve(self, ticket_id: int) -> None:
        """Take the ticket and hand the resident back to the assistant."""
        self.post(f"/staff/api/tickets/{ticket_id}/claim")
        self.post(f"/staff/api/tickets/{ticket_id}/resolve", {"outcome": "answered"})


class RestResident:
    """A resident on Rasa's REST channel: each post returns that turn's replies."""

    def __init__(self, base: str) -> None:
        self.base, self.id = base, f"rest:{uuid.uuid4().hex[:12]}"
        self.heard: list[str] = []

    async def say(self, text: str) -> list[str]:
        async with httpx.AsyncClient(timeout=SECONDS) as client:
            answer = await client.post(
                f"{self.base}/webhooks/rest/webhook", json={"sender": self.id, "message": text}
            )
        assert answer.status_code == 200, answer.text
        replies = [str(m.get("text") or "") for m in answer.json()]
        self.heard += replies
        return replies

    async def wait_for(self, fragment: str, seconds: float = SECONDS) -> str:
        """A bot message with `fragment` recorded in the tracker (staff events land there)."""
        for _ in range(int(seconds * 2)):
            for said in tracker_bot_texts(self.base, self.id):
                if fragment in said:
                    return said
            await asyncio.sleep(0.5)
        raise AssertionError(f"no message with {fragment!r} in {self.id}'s tracker")


class WebResident:
    """A resident in the web chat widget, on its WebSocket."""

    def __init__(self, base: str, session: str | None = None) -> None:
        self.base, self.session = base, session or str(uuid.uuid4())
        self.id = "web:" + self.session  # the conversation id: the channel, then the session
        self.socket: Any = None
        self.heard: list[str] = []

    async def __aenter__(self) -> WebResident:
        url = self.base.replace("http", "ws") + f"/webhooks/webchat/ws?session={self.session}"
        self.socket = await websockets.connect(url)
        await self._frame("history")
        return self

    async def __aexit__(self, *_: Any) -> None:
        await self.socket.close()

    async def _frame(self, kind: str) -> dict[str, Any]:
        while True:
            frame = json.loads(await asyncio.wait_for(self.socket.recv(), SECONDS))
            if frame.get("type") == "bot":
                self.heard.append(str(frame.get("text") or ""))
            if frame.get("type") == kind:
                return dict(frame)

    async def say(self, text: str) -> list[str]:
        """Send `text`; the replies of the turn (until the server says the turn is over)."""
        start = len(self.heard)
        await self.socket.send(json.dumps({"type": "message", "text": text}))
        await self._frame("idle")
        return self.heard[start:]

    async def wait_for(self, fragment: str) -> str:
        for said in self.heard:
            if fragment in said:
                return said
        while True:
            frame = await self._frame("bot")
            if fragment in frame["text"]:
                return str(frame["text"])

    async def end_chat(self) -> dict[str, Any]:
        """As the widget's "End chat" button: say so, and let the server close the socket.
        Returns the server's "ended" frame (whether a request for a person was cancelled)."""
        await self.socket.send(json.dumps({"type": "end"}))
        ended = await self._frame("ended")
        await asyncio.wait_for(self.socket.wait_closed(), SECONDS)
        return ended


class SmsResident:
    """A resident texting through the SMS simulator (outbox provider)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.number = f"07700900{uuid.uuid4().int % 1000:03d}"
        self.seen = 0
        self.heard: list[str] = []

    @property
    def e164(self) -> str:
        return "+44" + self.number[1:]

    @property
    def id(self) -> str:
        """The conversation id: a keyed hash of the number, never the number itself."""
        return "sms:" + hash_identifier(self.e164)

    async def say(self, text: str, settle: float = 2.5) -> list[str]:
        """Text `text`; the texts that came back within `settle` seconds of the last one."""
        async with httpx.AsyncClient(timeout=SECONDS) as client:
            answer = await client.post(
                f"{self.base}/webhooks/sms/simulator", json={"from": self.number, "body": text}
            )
        assert answer.status_code == 202, answer.text
        got: list[str] = []
        quiet = 0.0
        for _ in range(SECONDS * 4):
            await asyncio.sleep(0.25)
            new = self._new_texts()
            got += new
            quiet = 0.0 if new else quiet + 0.25
            if got and quiet >= settle:
                break
        return got

    def _new_texts(self) -> list[str]:
        messages = httpx.get(
            f"{self.base}/webhooks/sms/simulator/outbox",
            timeout=30,
            params={"number": self.number, "after": self.seen},
        ).json()
        bodies = []
        for message in messages["messages"]:
            self.seen = max(self.seen, message["id"])
            bodies.append(str(message["body"]))
        self.heard += bodies
        return bodies

    async def wait_for(self, fragment: str, seconds: float = SECONDS) -> str:
        for _ in range(int(seconds * 2)):
            self._new_texts()
            for said in self.heard:
                if fragment in said:
                    return said
            await asyncio.sleep(0.5)
        raise AssertionError(f"no text with {fragment!r}")


def tickets_of(engine: Engine, conversation_id: str) -> list[HandoffTicket]:
    """Every ticket of a conversation, open or closed, oldest first."""
    with session_scope(engine) as session:
        found = (
            session.execute(
                select(HandoffTicket)
                .where(HandoffTicket.conversation_id == conversation_id)
                .order_by(HandoffTicket.id)
            )
            .scalars()
            .all()
        )
        session.expunge_all()
        return list(found)


def tracker_events(base: str, conversation_id: str) -> list[dict[str, Any]]:
    answer = httpx.get(rasa_api.url(base, f"/conversations/{conversation_id}/tracker"), timeout=30)
    return list(answer.json()["events"])


def tracker_bot_texts(base: str, conversation_id: str) -> list[str]:
    return [
        e.get("text") or "" for e in tracker_events(base, conversation_id) if e["event"] == "bot"
    ]
