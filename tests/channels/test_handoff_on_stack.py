"""Handoff on the real stack: a resident in the web chat asks for a person, an advisor
claims, replies and resolves through the staff API, and the resident's open socket gets
each message; the tracker keeps them. With two Rasa servers sharing PostgreSQL (tracker
store and LISTEN/NOTIFY bus), the staff act on one server and the resident's socket is
held by the other."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import httpx
import pytest
import websockets

from bot.clock import now
from bot.db.session import session_scope
from bot.web.auth import create_staff
from tests import rasa_api
from tests.channels.handoff_cycle_support import Advisor
from tests.channels.handoff_stack import MODEL, STAFF_PASSWORD, handoff_stack

pytestmark = pytest.mark.skipif(not MODEL.exists(), reason="needs the trained model")


class Staff(Advisor):
    """An advisor using the staff queue's JSON API (signed in as `Advisor` does)."""

    def tickets(self) -> list[dict]:
        return self.http.get("/staff/api/tickets").json()["tickets"]

    def post(self, path: str, body: dict | None = None) -> httpx.Response:
        answer = self.http.post(path, json=body or {}, headers={"X-CSRF-Token": self.csrf})
        assert answer.status_code == 200, answer.text
        return answer


class Chat:
    """The resident's open web chat socket."""

    def __init__(self, socket) -> None:  # type: ignore[no-untyped-def]
        self.socket = socket

    async def say(self, text: str) -> None:
        await self.socket.send(json.dumps({"type": "message", "text": text}))

    async def wait_for(self, fragment: str, seconds: float = 60) -> str:
        async def read() -> str:
            while True:
                frame = json.loads(await self.socket.recv())
                if frame.get("type") == "bot" and fragment in (frame.get("text") or ""):
                    return str(frame["text"])

        return await asyncio.wait_for(read(), seconds)


def add_advisor(engine) -> None:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        create_staff(session, "ann", "advisor", STAFF_PASSWORD, now())


async def hand_over_and_back(chat_base: str, staff_base: str) -> str:
    session = str(uuid.uuid4())
    url = chat_base.replace("http", "ws") + f"/webhooks/webchat/ws?session={session}"
    async with websockets.connect(url) as socket:
        chat = Chat(socket)
        await chat.say("I want to speak to a person")
        await chat.wait_for("in the queue")
        ann = Staff(staff_base, "ann")
        [ticket] = [t for t in ann.tickets() if t["conversation_id"] == "web:" + session]
        detail = ann.http.get(f"/staff/api/tickets/{ticket['id']}").json()
        assert "I want to speak to a person" in json.dumps(detail)
        ann.post(f"/staff/api/tickets/{ticket['id']}/claim")
        await chat.wait_for("has joined the conversation")
        await chat.say("my bin was not emptied on Tuesday")
        await chat.wait_for("will read your message")
        detail = ann.http.get(f"/staff/api/tickets/{ticket['id']}").json()
        assert "my bin was not emptied on Tuesday" in json.dumps(detail)
        ann.post(
            f"/staff/api/tickets/{ticket['id']}/reply",
            {"text": "I've booked a return visit for tomorrow."},
        )
        await chat.wait_for("booked a return visit")
        ann.post(f"/staff/api/tickets/{ticket['id']}/resolve", {"outcome": "answered"})
        await chat.wait_for("talking to the automated")
        await chat.say("hello")
        await chat.wait_for("automated assistant")  # the bot answers again
    return session


def bot_texts(base: str, session: str) -> list[str]:
    tracker = httpx.get(
        rasa_api.url(base, f"/conversations/web:{session}/tracker"), timeout=30
    ).json()
    return [e.get("text") or "" for e in tracker["events"] if e["event"] == "bot"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_web_resident_is_handed_to_an_advisor_and_back_on_one_server(
    migrated_engine, database_url, tmp_path: Path
):
    add_advisor(migrated_engine)
    with handoff_stack(tmp_path, database_url) as [base]:
        session = await hand_over_and_back(base, base)
        said = bot_texts(base, session)
    assert "I've booked a return visit for tomorrow." in said
    assert sum("has joined the conversation" in t for t in said) == 1


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_staff_on_one_server_reach_a_resident_connected_to_another(
    migrated_engine, database_url, tmp_path: Path
):
    add_advisor(migrated_engine)
    with handoff_stack(tmp_path, database_url, servers=2, bus_url=database_url) as bases:
        session = await hand_over_and_back(bases[0], bases[1])
        said = bot_texts(bases[1], session)
    assert said.count("I've booked a return visit for tomorrow.") == 1


class Phone:
    """A resident texting through the SMS simulator (outbox provider)."""

    number = "07700900777"

    def __init__(self, base: str) -> None:
        self.base, self.seen = base, 0

    def text(self, body: str) -> None:
        answer = httpx.post(
            f"{self.base}/webhooks/sms/simulator",
            json={"from": self.number, "body": body},
            timeout=30,
        )
        assert answer.status_code == 202, answer.text

    async def wait_for(self, fragment: str, seconds: float = 60) -> str:
        for _ in range(int(seconds * 2)):
            messages = httpx.get(
                f"{self.base}/webhooks/sms/simulator/outbox",
                timeout=30,
                params={"number": self.number, "after": self.seen},
            ).json()
            for message in messages["messages"]:
                self.seen = max(self.seen, message["id"])
                if fragment in message["body"]:
                    return str(message["body"])
            await asyncio.sleep(0.5)
        raise AssertionError(f"no text with {fragment!r}")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_an_sms_resident_is_handed_to_an_advisor_and_gets_the_reply_by_text(
    migrated_engine, database_url, tmp_path: Path
):
    add_advisor(migrated_engine)
    with handoff_stack(tmp_path, database_url) as [base]:
        phone = Phone(base)
        phone.text("I want to speak to a person")
        await phone.wait_for("in the queue")
        ann = Staff(base, "ann")
        [ticket] = [t for t in ann.tickets() if t["channel"] == "sms"]
        ann.post(f"/staff/api/tickets/{ticket['id']}/claim")
        await phone.wait_for("has joined the conversation")
        phone.text("it's about my council tax bill")
        await phone.wait_for("will read your message")
        ann.post(f"/staff/api/tickets/{ticket['id']}/reply", {"text": "Your bill is correct."})
        await phone.wait_for("Your bill is correct.")
        ann.post(f"/staff/api/tickets/{ticket['id']}/resolve", {"outcome": "answered"})
        await phone.wait_for("talking to the automated")
        detail = ann.http.get(f"/staff/api/tickets/{ticket['id']}").json()
    assert "it's about my council tax bill" in json.dumps(detail)
