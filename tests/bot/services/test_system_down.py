"""What the Rasa server says, and the ticket it opens, when the action server fails: the
project's own messages and council file, a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import copy
import re
from datetime import datetime
from pathlib import Path

import pytest
import yaml

from bot.clock import LONDON
from bot.content import Content, get_content, load_messages
from bot.council import get_council, load_council
from bot.db.session import session_scope
from bot.safety.labels import URGENT_LABELS, urgent_content_key
from bot.services.handoff_queue import open_ticket_for
from bot.services.sms_segments import count_segments
from bot.services.system_down import Handover, open_system_down_ticket, system_down_messages
from bot.settings import PROJECT_ROOT

TUESDAY_10AM = datetime(2026, 11, 24, 10, 0, tzinfo=LONDON)  # advisers are in
SUNDAY_NOON = datetime(2026, 11, 29, 12, 0, tzinfo=LONDON)  # they are not
KEYS = ("system_down_reply", "system_down_handed_over")
CORE = PROJECT_ROOT / "content" / "messages" / "core.yml"


def events(*turns: tuple[str, str, str | None]) -> list[dict]:
    """Rasa's event JSON for (kind, text, intent) turns, after a session start."""
    out: list[dict] = [{"event": "session_started", "timestamp": 1764000000.0}]
    for index, (kind, text, intent) in enumerate(turns):
        event = {"event": kind, "text": text, "timestamp": 1764000000.0 + index}
        if intent:
            event["parse_data"] = {"intent": {"name": intent, "confidence": 0.97}}
        out.append(event)
    return out


# --- The messages ----------------------------------------------------------------------


@pytest.mark.parametrize("key", KEYS)
def test_system_down_messages_give_the_councils_number_and_fit_in_a_text(key: str):
    text = get_content().text(key)
    assert get_council().facts["phone"] in text
    assert text.startswith("Sorry, something has gone wrong on our side")
    assert len(text) <= 320 and count_segments(text).segments <= 2
    for phrase in ("please be advised", "in order to", "utilise", "click here", "kindly"):
        assert phrase not in text.lower()


def test_system_down_messages_type_in_no_council_fact():
    written = yaml.safe_load(CORE.read_text(encoding="utf-8"))
    for key in KEYS:
        for pattern in (r"£", r"\d{3,}", r"https?://", r"www\.", r"@", r"Oakbridge"):
            assert not re.search(pattern, written[key]["text"]), f"{key} types {pattern!r} in"


def test_another_council_gets_its_own_number(tmp_path: Path):
    facts = copy.deepcopy(get_council().facts)
    facts["phone"] = "0113 496 0500"
    council_file = tmp_path / "council.yml"
    council_file.write_text(yaml.safe_dump(facts, allow_unicode=True), encoding="utf-8")
    content = Content(load_messages(CORE.parent), load_council(council_file))
    for key in KEYS:
        text = content.text(key)
        assert "0113 496 0500" in text and get_council().facts["phone"] not in text


@pytest.mark.parametrize("label", URGENT_LABELS)
def test_an_urgent_message_gets_its_urgent_answer_with_link_and_buttons(label: str):
    [message] = system_down_messages(get_content(), label, None)
    assert message == get_content().render(urgent_content_key(label))
    assert message.link and message.buttons


def test_without_a_ticket_the_resident_is_told_to_try_again_or_call():
    messages = system_down_messages(get_content(), "bin_collection_day", None)
    assert [m.text for m in messages] == [get_content().text("system_down_reply")]


@pytest.mark.parametrize(
    ("channel", "staff_in", "middle"),
    [
        ("sms", True, None),
        ("web", True, "handoff_stay_here"),
        ("web", False, "handoff_web_closed"),
        ("rest", True, "handoff_contact_consent"),
    ],
)
def test_with_a_ticket_the_resident_hears_what_happens_next_as_action_handoff_says_it(
    channel: str, staff_in: bool, middle: str | None
):
    content = get_content()
    handover = Handover(7, channel, "You're number 1 in the queue.", staff_in)
    texts = [m.text for m in system_down_messages(content, "council_tax_pay", handover)]
    expected = [content.text("system_down_handed_over"), "You're number 1 in the queue."]
    expected += [content.text(middle)] if middle else []
    assert texts == [*expected, content.text("handoff_how_to_cancel")]


def test_an_urgent_message_with_a_ticket_gets_the_urgent_answer_first_and_no_apology():
    content = get_content()
    handover = Handover(7, "sms", "You're number 1 in the queue.", True)
    texts = [m.text for m in system_down_messages(content, "homelessness", handover)]
    assert texts[0] == content.text("urgent_homelessness")
    assert content.text("system_down_handed_over") not in texts


# --- The ticket ------------------------------------------------------------------------


def test_the_ticket_carries_the_transcript_topic_and_reason(migrated_engine):
    conversation = events(
        ("user", "hi", "greet"),
        ("bot", "Hello.", None),
        ("user", "when is my bin day", "bin_collection_day"),
    )
    with session_scope(migrated_engine) as session:
        handover = open_system_down_ticket(
            session,
            "conv-1",
            "web",
            "bin_collection_day",
            conversation,
            get_council(),
            get_content(),
            TUESDAY_10AM,
        )
    assert handover.channel == "web" and handover.staff_in
    assert "number 1 in the queue" in handover.notice
    with session_scope(migrated_engine) as session:
        ticket = open_ticket_for(session, "conv-1")
        assert ticket is not None and ticket.id == handover.ticket_id
        assert (ticket.reason, ticket.priority, ticket.topic) == (
            "System down",
            "normal",
            "bin_collection_day",
        )
        assert [(m.author_kind, m.text, m.intent) for m in ticket.messages] == [
            ("resident", "hi", "greet (0.97)"),
            ("bot", "Hello.", None),
            ("resident", "when is my bin day", "bin_collection_day (0.97)"),
        ]


def test_an_urgent_failure_opens_an_urgent_ticket_and_a_second_failure_no_new_one(
    migrated_engine,
):
    conversation = events(("user", "I am homeless tonight", "homelessness"))
    opened = []
    for _ in range(2):
        with session_scope(migrated_engine) as session:
            opened.append(
                open_system_down_ticket(
                    session,
                    "conv-2",
                    "sms",
                    "homelessness",
                    conversation,
                    get_council(),
                    get_content(),
                    SUNDAY_NOON,
                )
            )
    assert opened[0].ticket_id == opened[1].ticket_id
    assert not opened[0].staff_in and "not available now" in opened[0].notice
    with session_scope(migrated_engine) as session:
        ticket = open_ticket_for(session, "conv-2")
        assert ticket is not None
        assert (ticket.priority, ticket.reason) == ("urgent", "System down: homelessness")
