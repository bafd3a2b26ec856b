"""The assistant always answers: the real Rasa server with the trained model, the real
action server killed (connection refused), paused with SIGSTOP or replaced by a loopback
socket that never answers (timeout), or by a loopback server answering HTTP 500 or JSON
Rasa cannot read; through REST, the web chat's WebSocket and the SMS webhook (outbox).
Each conversation then goes on: more messages while handed over, the action server back,
"cancel", and the next question answered by the assistant as usual."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
import websockets

from bot.clock import now
from bot.content import get_content
from bot.db.session import make_engine, session_scope
from bot.web.auth import create_staff
from tests.channels.action_down_clients import (
    Chat,
    Phone,
    actions_after_last_user_message,
    conversation_id,
    next_queue_event,
    rest,
    text_of,
    texts,
    tickets,
    tracker,
    ws_url,
)
from tests.channels.action_down_stack import TIMEOUT_SECONDS, ActionDownStack, action_down_stack
from tests.channels.handoff_stack import MODEL, STAFF_PASSWORD

pytestmark = pytest.mark.skipif(not MODEL.exists(), reason="needs the trained model")

URGENT = "I am homeless tonight"
BIN_DAY = "when is my bin day"
ASKS_POSTCODE = "postcode"  # the assistant's first question for a bin day


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ActionDownStack]:
    with action_down_stack(tmp_path_factory.mktemp("action-down")) as running:
        yield running


@pytest.fixture
def servers(stack: ActionDownStack) -> Iterator[ActionDownStack]:
    """The stack, with the real action server running and answering again after the test."""
    stack.make_healthy()
    yield stack
    stack.make_healthy()


# --- REST -----------------------------------------------------------------------------


def test_rest_urgent_message_with_the_action_server_killed_gets_urgent_help_and_a_ticket(
    servers: ActionDownStack,
):
    servers.kill_actions()
    sender = f"rest:{uuid.uuid4()}"
    replies, _ = rest(servers, sender, URGENT)
    said = texts(replies)
    assert said[0] == text_of("urgent_homelessness")
    assert [b["title"] for b in replies[0]["buttons"]] == ["Talk to a person"]
    assert "in the queue" in said[1]
    assert said[-1] == text_of("handoff_how_to_cancel")
    [ticket] = tickets(servers, sender)
    assert ticket["channel"] == "rest" and ticket["priority"] == "urgent"
    assert ticket["reason"] == "System down: homelessness" and ticket["status"] == "waiting"
    assert ("resident", URGENT) in ticket["messages"]
    # Saved as one turn: one action tried (no second call for action_handoff), then paused.
    saved = tracker(servers, sender)
    assert saved["paused"] is True
    assert actions_after_last_user_message(saved["events"]) == [
        "action_answer_urgent",
        "action_listen",
    ]
    assert [e["text"] for e in saved["events"] if e["event"] == "bot"] == said
    # What the resident sends next goes to the ticket, not to a second one.
    replies, _ = rest(servers, sender, "is anyone there?")
    assert texts(replies) == [get_content().text("handoff_person_will_reply")]
    [ticket] = tickets(servers, sender)
    assert ("resident", "is anyone there?") in ticket["messages"]


def test_rest_message_to_a_paused_action_server_is_answered_within_the_time_limit(
    servers: ActionDownStack,
):
    servers.pause_actions()
    sender = f"rest:{uuid.uuid4()}"
    replies, seconds = rest(servers, sender, BIN_DAY)
    assert TIMEOUT_SECONDS <= seconds < 2 * TIMEOUT_SECONDS  # one call waited for, not two
    said = texts(replies)
    assert said[0] == text_of("system_down_handed_over")
    assert "01632 960000" in said[0]  # the council's phone number
    assert len(said) == len(set(said))  # nothing said twice
    [ticket] = tickets(servers, sender)
    assert ticket["priority"] == "normal" and ticket["reason"] == "System down"
    assert ticket["topic"] == "bin_collection_day"
    # The action server is back: the resident leaves the queue and asks again.
    servers.resume_actions()
    replies, _ = rest(servers, sender, "cancel")
    assert texts(replies) == [get_content().text("handoff_cancelled")]
    replies, _ = rest(servers, sender, BIN_DAY)
    assert ASKS_POSTCODE in " ".join(texts(replies))
    assert tickets(servers, sender)[0]["status"] == "cancelled"


def test_rest_message_to_a_socket_that_never_answers_gets_the_apology_then_normal_answers(
    servers: ActionDownStack,
):
    servers.hang_with_silent_socket()
    sender = f"rest:{uuid.uuid4()}"
    replies, seconds = rest(servers, sender, BIN_DAY)
    assert seconds < TIMEOUT_SECONDS + 5
    assert texts(replies)[0] == text_of("system_down_handed_over")
    assert len(tickets(servers, sender)) == 1
    servers.make_healthy()  # the real action server again, on the same port
    rest(servers, sender, "cancel")
    replies, _ = rest(servers, sender, BIN_DAY)
    assert ASKS_POSTCODE in " ".join(texts(replies))


def test_rest_urgent_help_already_given_is_not_repeated_when_the_server_dies_mid_turn(
    servers: ActionDownStack,
):
    servers.die_on("action_handoff")  # the urgent answer comes from the real action server
    sender = f"rest:{uuid.uuid4()}"
    replies, _ = rest(servers, sender, URGENT)
    said = texts(replies)
    assert said.count(text_of("urgent_homelessness")) == 1
    assert "in the queue" in said[1]
    [ticket] = tickets(servers, sender)
    assert ticket["priority"] == "urgent"
    assert actions_after_last_user_message(tracker(servers, sender)["events"]) == [
        "action_answer_urgent",
        "action_handoff",
        "action_listen",
    ]


def test_rest_form_under_way_when_the_action_server_dies_goes_on_once_it_is_back(
    servers: ActionDownStack,
):
    sender = f"rest:{uuid.uuid4()}"
    replies, _ = rest(servers, sender, BIN_DAY)
    assert ASKS_POSTCODE in " ".join(texts(replies))
    servers.kill_actions()
    replies, _ = rest(servers, sender, "OB2 5JQ")
    assert texts(replies)[0] == text_of("system_down_handed_over")
    servers.make_healthy()
    rest(servers, sender, "cancel")  # leaves the queue, not the bin-day question
    replies, _ = rest(servers, sender, "OB2 5JQ")
    answer = " ".join(texts(replies))
    assert "Sorry" not in answer and ASKS_POSTCODE not in answer.lower(), answer
    assert tracker(servers, sender)["active_loop"].get("name") in ("bin_day_form", None)


def test_rest_with_the_ticket_database_failing_too_gets_the_apology_and_no_handover(
    servers: ActionDownStack,
):
    servers.kill_actions()
    sender = f"rest:{uuid.uuid4()}"
    with servers.tickets_unavailable():
        replies, _ = rest(servers, sender, BIN_DAY)
        assert texts(replies) == [text_of("system_down_reply")]
        assert tracker(servers, sender)["paused"] is False
    assert tickets(servers, sender) == []
    servers.make_healthy()  # nothing to cancel: the next message is answered at once
    replies, _ = rest(servers, sender, BIN_DAY)
    assert ASKS_POSTCODE in " ".join(texts(replies))


@pytest.mark.parametrize(
    ("status", "body"),
    [(500, b'{"error": "internal"}'), (200, b'{"events": "not a list", "responses": 7}')],
    ids=["http-500", "unreadable-json"],
)
def test_rest_message_to_a_failing_action_server_gets_the_apology_at_once(
    servers: ActionDownStack, status: int, body: bytes
):
    servers.answer_with(status, body)
    sender = f"rest:{uuid.uuid4()}"
    replies, seconds = rest(servers, sender, BIN_DAY)
    assert seconds < TIMEOUT_SECONDS  # a failure, not a wait
    assert texts(replies)[0] == text_of("system_down_handed_over")
    assert actions_after_last_user_message(tracker(servers, sender)["events"]) == [
        "bin_day_form",
        "action_listen",
    ]


# --- The web chat's WebSocket --------------------------------------------------------


async def test_web_urgent_message_with_the_action_server_killed_shows_urgent_help_and_buttons(
    servers: ActionDownStack,
):
    servers.kill_actions()
    session = str(uuid.uuid4())
    async with websockets.connect(ws_url(servers, session)) as socket:
        chat = Chat(socket)
        await chat.history()
        frames = await chat.say(URGENT)
        assert frames[0]["text"] == text_of("urgent_homelessness")
        assert [b["title"] for b in frames[0]["buttons"]] == ["Talk to a person"]
        assert text_of("handoff_stay_here") in [f["text"] for f in frames]
        [ticket] = tickets(servers, "web:" + session)
        assert ticket["channel"] == "web" and ticket["priority"] == "urgent"
        # The resident presses "Talk to a person": it goes to the same ticket.
        frames = await chat.say("/request_human")
        assert [f["text"] for f in frames] == [get_content().text("handoff_person_will_reply")]
    assert len(tickets(servers, "web:" + session)) == 1


async def test_web_message_with_the_action_server_paused_then_resumed_is_answered_again(
    servers: ActionDownStack,
):
    servers.pause_actions()
    session = str(uuid.uuid4())
    async with websockets.connect(ws_url(servers, session)) as socket:
        chat = Chat(socket)
        await chat.history()
        started = time.monotonic()
        frames = await chat.say(BIN_DAY)
        assert time.monotonic() - started < TIMEOUT_SECONDS + 5
        said = [f["text"] for f in frames]
        assert said[0] == text_of("system_down_handed_over")
        assert len(said) == len(set(said))
        servers.resume_actions()
        assert [f["text"] for f in await chat.say("cancel")] == [
            get_content().text("handoff_cancelled")
        ]
        frames = await chat.say(BIN_DAY)
        assert ASKS_POSTCODE in " ".join(f["text"] for f in frames)


async def test_web_resident_who_sends_again_during_the_hang_is_told_a_person_will_read_it(
    servers: ActionDownStack,
):
    servers.pause_actions()
    session = str(uuid.uuid4())
    async with websockets.connect(ws_url(servers, session)) as socket:
        chat = Chat(socket)
        await chat.history()
        await chat.send(BIN_DAY)
        await asyncio.sleep(0.5)
        await chat.send("hello? are you there")  # no answer yet: the resident sends again
        first, second = await chat.turn(), await chat.turn()
    assert first[0]["text"] == text_of("system_down_handed_over")
    assert [f["text"] for f in second] == [get_content().text("handoff_person_will_reply")]
    [ticket] = tickets(servers, "web:" + session)
    assert ("resident", "hello? are you there") in ticket["messages"]


async def test_web_chat_reopened_after_a_failed_turn_shows_the_reply_in_its_history(
    servers: ActionDownStack,
):
    servers.kill_actions()
    session = str(uuid.uuid4())
    async with websockets.connect(ws_url(servers, session)) as socket:
        chat = Chat(socket)
        await chat.history()
        said = [f["text"] for f in await chat.say(BIN_DAY)]
    async with websockets.connect(ws_url(servers, session)) as socket:
        history = await Chat(socket).history()
    shown = [m.get("text") for m in history]
    assert BIN_DAY in shown
    assert all(text in shown for text in said)


# --- SMS -----------------------------------------------------------------------------


async def test_sms_urgent_text_with_the_action_server_killed_gets_urgent_help_and_a_ticket(
    servers: ActionDownStack,
):
    servers.kill_actions()
    phone = Phone(servers)
    phone.text(URGENT)
    [reply] = await phone.replies()
    assert reply.startswith(get_content().text("urgent_homelessness")[:60])
    assert "1: Talk to a person" in reply
    [ticket] = tickets(servers, conversation_id(servers, phone))
    assert ticket["channel"] == "sms" and ticket["priority"] == "urgent"
    assert ("resident", URGENT) in ticket["messages"]


async def test_sms_text_with_the_action_server_paused_gets_one_apology_text(
    servers: ActionDownStack,
):
    servers.pause_actions()
    phone = Phone(servers)
    phone.text(BIN_DAY)
    [reply] = await phone.replies(quiet=TIMEOUT_SECONDS + 1)
    assert reply.startswith(get_content().text("system_down_handed_over"))
    assert "01632 960000" in reply
    [ticket] = tickets(servers, conversation_id(servers, phone))
    assert ticket["channel"] == "sms" and ticket["priority"] == "normal"


async def test_sms_after_the_action_server_restarts_cancel_and_the_next_text_is_answered(
    servers: ActionDownStack,
):
    servers.kill_actions()
    phone = Phone(servers)
    phone.text(BIN_DAY)
    [reply] = await phone.replies()
    assert "01632 960000" in reply
    phone.text("hello?")  # still down: the text goes to the ticket
    assert await phone.replies() == [get_content().text("handoff_person_will_reply")]
    servers.make_healthy()
    phone.text("cancel")
    assert await phone.replies() == [get_content().text("handoff_cancelled")]
    phone.text(BIN_DAY)
    [reply] = await phone.replies()
    assert ASKS_POSTCODE in reply
    [ticket] = tickets(servers, conversation_id(servers, phone))
    assert ticket["status"] == "cancelled"
    assert ("resident", "hello?") in ticket["messages"]


# --- Staff -----------------------------------------------------------------------------


async def next_event_but_changes(lines) -> dict:  # type: ignore[no-untyped-def]
    """The next event other than "changed", which the queue's database watch also sends
    (bot/web/live.py: its first look, and every ticket opened anywhere)."""
    while (event := await next_queue_event(lines))["kind"] == "changed":
        pass
    return event


async def test_an_advisors_open_queue_hears_of_the_system_down_ticket_and_can_answer_it(
    servers: ActionDownStack,
):
    username = f"ann{uuid.uuid4().hex[:6]}"
    engine = make_engine(servers.database_url)
    try:
        with session_scope(engine) as session:
            create_staff(session, username, "advisor", STAFF_PASSWORD, now())
    finally:
        engine.dispose()
    servers.kill_actions()
    sender = f"rest:{uuid.uuid4()}"
    async with httpx.AsyncClient(base_url=servers.base, timeout=30) as staff:
        token = (await staff.get("/staff/api/session/csrf")).json()["csrf_token"]
        signed_in = await staff.post(
            "/staff/api/session",
            headers={"X-CSRF-Token": token},
            json={"username": username, "password": STAFF_PASSWORD},
        )
        assert signed_in.status_code == 200, signed_in.text
        csrf = signed_in.json()["csrf_token"]
        async with staff.stream("GET", "/staff/events") as stream:
            lines = stream.aiter_lines()
            await asyncio.sleep(0.5)  # the stream is registered
            await asyncio.to_thread(rest, servers, sender, URGENT)
            event = await asyncio.wait_for(next_event_but_changes(lines), 15)
        [ticket] = [
            t
            for t in (await staff.get("/staff/api/tickets")).json()["tickets"]
            if t["conversation_id"] == sender
        ]
        assert event == {"kind": "system_down", "ticket_id": ticket["id"]}
        claimed = await staff.post(
            f"/staff/api/tickets/{ticket['id']}/claim", headers={"X-CSRF-Token": csrf}
        )
        assert claimed.status_code == 200, claimed.text
    # The advisor's claim reaches the resident's conversation though the assistant cannot.
    for _ in range(40):
        said = [
            e.get("text") or "" for e in tracker(servers, sender)["events"] if e["event"] == "bot"
        ]
        if any("has joined the conversation" in text for text in said):
            break
        await asyncio.sleep(0.25)
    else:
        raise AssertionError("the advisor joining was not recorded in the conversation")
