"""action_handoff with a real tracker, dispatcher and database: the ticket, what the
resident is told, and the pause."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.handoff import ActionHandoff, ticket_channel, topic_of
from actions.replies import ActionFallback
from bot.db.handoff import HandoffTicket
from tests.actions.conftest import set_now, slot_events, texts


def user(
    text: str,
    intent: str,
    confidence: float = 0.95,
    at: float = 1795000000.0,
    channel: str = "webchat",
) -> dict[str, Any]:
    return {
        "event": "user",
        "text": text,
        "timestamp": at,
        "input_channel": channel,
        "parse_data": {"intent": {"name": intent, "confidence": confidence}},
    }


def bot(text: str, at: float = 1795000001.0) -> dict[str, Any]:
    return {"event": "bot", "text": text, "timestamp": at}


def tracker(
    events: list[dict[str, Any]],
    sender_id: str = "web-resident-1",
    slots: dict[str, Any] | None = None,
) -> Tracker:
    last = next(e for e in reversed(events) if e["event"] == "user")
    return Tracker(
        sender_id=sender_id,
        slots=slots or {},
        latest_message={
            "text": last["text"],
            "intent": last["parse_data"]["intent"],
            "entities": [],
        },
        events=events,
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def tickets(engine) -> list[HandoffTicket]:
    with Session(engine, future=True) as session:
        found = list(session.execute(select(HandoffTicket)).scalars())
        for ticket in found:
            _ = list(ticket.messages)
        return found


ASKED = [
    user("when is my bin day", "bin_collection_day", 0.91),
    bot("What's your postcode?"),
    user("can I talk to a real person", "request_human", 0.97, at=1795000002.0),
]


async def run(t: Tracker, domain) -> tuple[CollectingDispatcher, list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    return dispatcher, await ActionHandoff().run(dispatcher, t, domain)


async def test_asking_for_a_person_opens_a_ticket_with_the_transcript_and_pauses(assistant, domain):
    dispatcher, events = await run(tracker(ASKED), domain)
    [ticket] = tickets(assistant)
    assert (ticket.conversation_id, ticket.channel, ticket.topic) == (
        "web-resident-1",
        "web",
        "bin_collection_day",
    )
    assert ticket.reason == "Asked for a person" and ticket.priority == "normal"
    assert [(m.author_kind, m.text, m.intent) for m in ticket.messages] == [
        ("resident", "when is my bin day", "bin_collection_day (0.91)"),
        ("bot", "What's your postcode?", None),
        ("resident", "can I talk to a real person", "request_human (0.97)"),
    ]
    assert events[-1]["event"] == "pause"
    assert slot_events(events)["handoff_ticket"] == ticket.id
    said = " ".join(texts(dispatcher))
    assert "number 1 in the queue" in said  # Tuesday 10am: staff are in
    assert "Keep this chat open" in said and "send 'cancel'" in said
    assert "phone number or email" not in said  # the web chat is the way back


async def test_asking_twice_keeps_one_ticket_per_conversation(assistant, domain):
    await run(tracker(ASKED), domain)
    dispatcher, events = await run(tracker(ASKED), domain)
    assert len(tickets(assistant)) == 1
    assert events[-1]["event"] == "pause"


async def test_urgent_topic_is_high_priority_and_jumps_the_queue(assistant, domain):
    await run(tracker(ASKED, sender_id="first"), domain)
    urgent = [user("I'm being evicted tonight", "homelessness", 0.88)]
    dispatcher, _ = await run(tracker(urgent, sender_id="second"), domain)
    by_id = {t.conversation_id: t for t in tickets(assistant)}
    assert by_id["second"].priority == "urgent"
    assert by_id["second"].reason == "Urgent: homelessness"
    assert "number 1 in the queue" in " ".join(texts(dispatcher))


async def test_two_fallbacks_hand_over_with_the_reason_not_understood(assistant, domain):
    events = [user("blorp fizz", "nlu_fallback", 0.2)]
    fallback = await ActionFallback().run(
        CollectingDispatcher(), tracker(events, slots={"fallback_count": 1}), domain
    )
    reason = slot_events(fallback)["handoff_reason"]
    await run(tracker(events, slots={"handoff_reason": reason}), domain)
    [ticket] = tickets(assistant)
    assert ticket.reason == "Not understood twice" and ticket.topic == "general"


async def test_out_of_hours_says_when_staff_are_back_and_asks_consent_for_contact(
    assistant, domain, monkeypatch: pytest.MonkeyPatch
):
    set_now(monkeypatch, "2026-11-28T11:00:00")  # a Saturday
    dispatcher, events = await run(tracker(ASKED), domain)
    said = " ".join(texts(dispatcher))
    assert "not available now" in said and "at 9am on Monday 30 November" in said
    assert "phone number or email" in said and "You do not have to" in said
    # The web chat: the reply does come into the chat if it is open, so it says so.
    assert "cannot reply in this chat" not in said
    assert "If this chat is still open, their reply will appear here" in said
    assert "01632 960000" in said and "contact@oakbridge.gov.example" in said
    assert events[-1]["event"] == "pause"


async def test_rest_channel_asks_consent_for_contact_even_in_hours(assistant, domain):
    events = [user("I want a human", "request_human", channel="rest")]
    dispatcher, _ = await run(tracker(events), domain)
    assert tickets(assistant)[0].channel == "rest"
    assert "phone number or email" in " ".join(texts(dispatcher))


async def test_database_down_gives_the_phone_number_and_does_not_pause(
    assistant, domain, monkeypatch: pytest.MonkeyPatch
):
    from tests.actions.conftest import clear_caches

    monkeypatch.setenv("DATABASE_URL", "sqlite:////nonexistent/dir/council.db")
    clear_caches()
    dispatcher, events = await run(tracker(ASKED), domain)
    assert all(e["event"] != "pause" for e in events)
    assert "01632" in " ".join(texts(dispatcher))


def test_channel_names_map_to_ticket_channels():
    assert [ticket_channel(n) for n in ("webchat", "sms", "rest", None)] == [
        "web",
        "sms",
        "rest",
        "rest",
    ]


def test_topic_is_the_last_task_or_faq_intent():
    events = [user("council tax", "council_tax_pay"), user("yes", "affirm")]
    assert topic_of(events) == "council_tax_pay"


async def test_a_report_the_case_system_cannot_take_is_handed_to_a_person(
    assistant, domain, monkeypatch: pytest.MonkeyPatch
):
    import socket

    from actions.reports import ActionSubmitReport
    from tests.actions.conftest import clear_caches, form_tracker

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    monkeypatch.setenv("CASE_SYSTEM", "open311")
    monkeypatch.setenv("OPEN311_URL", f"http://127.0.0.1:{port}/open311/v2")
    monkeypatch.setenv("OPEN311_TIMEOUT", "1")
    clear_caches()
    filled = {
        "problem_location": "outside 14 High Street",
        "pothole_size": "dinner plate",
        "problem_description": "near the bus stop",
        "confirm_report": True,
    }
    submit = form_tracker(None, filled)
    submit.events.append({"event": "active_loop", "name": "pothole_form"})
    events = await ActionSubmitReport().run(CollectingDispatcher(), submit, domain)
    assert slot_events(events)["handoff_reason"] == "system_down"
    assert (events[-1]["event"], events[-1]["name"]) == ("followup", "action_handoff")
    await run(
        tracker(
            [user("report a pothole", "report_pothole")], slots={"handoff_reason": "system_down"}
        ),
        domain,
    )
    [ticket] = tickets(assistant)
    assert (ticket.reason, ticket.topic) == ("System down", "report_pothole")
