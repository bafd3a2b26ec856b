"""A seeded set of conversations with hand-counted figures, written the way Rasa's SQL
tracker store writes them, plus the project rows (tickets, requests) that go with them.

Hand count for 2026-11-02..2026-11-03 (London = UTC in November):
  c1 web  greet, council_tax_pay, yes to feedback           contained
  c2 web  bulky_waste_collection, "no" to feedback          not contained (no)
  c3 sms  fallback as the last bot turn                     not contained (fallback)
  c4 web  request_human, handed off (ticket, 4 min wait)    not contained (person)
  c5 web  check_request_status (11-03)                      contained
  c6 sms  out_of_scope, then council_tax_band               contained (answered last)
  c7 web  homelessness, urgent answer, handoff (11-03)      not contained (person)
  old web conversation on 2026-10-20: outside the period.
  conversations 7, contained 3, user messages 11 (c1 has 3), fallback messages 2, yes 1, no 1,
  status look-ups 1, tickets 3 (waits 2, 4, 10 min: median 4, p90 10), requests 2.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy.engine import Engine

from bot.db.handoff import HandoffTicket, TicketMessage
from bot.db.insight import TRACKER_METADATA, tracker_events
from bot.db.models import FailedStatusLookup, ServiceRequest
from bot.db.session import session_scope

DAY1 = datetime(2026, 11, 2, 10, 0, tzinfo=timezone.utc)
DAY2 = datetime(2026, 11, 3, 14, 0, tzinfo=timezone.utc)
OLD = datetime(2026, 10, 20, 9, 0, tzinfo=timezone.utc)


def user(text: str, intent: str, channel: str) -> dict[str, Any]:
    return {
        "event": "user",
        "text": text,
        "input_channel": channel,
        "parse_data": {"intent": {"name": intent, "confidence": 0.9}, "entities": [], "text": text},
    }


def action(name: str) -> dict[str, Any]:
    return {"event": "action", "name": name}


def slot(name: str, value: Any) -> dict[str, Any]:
    return {"event": "slot", "name": name, "value": value}


def bot(text: str) -> dict[str, Any]:
    return {"event": "bot", "text": text, "data": {}}


CONVERSATIONS: dict[str, tuple[datetime, list[dict[str, Any]]]] = {
    "c1": (
        DAY1,
        [
            action("action_session_start"),
            action("action_listen"),
            user("hello", "greet", "webchat"),
            action("action_reply"),
            bot("Hello"),
            action("action_listen"),
            user("how do I pay council tax", "council_tax_pay", "webchat"),
            action("action_answer_faq"),
            bot("Pay online"),
            slot("feedback_topic", "council_tax_pay"),
            action("action_listen"),
            user("yes", "affirm", "webchat"),
            action("action_reply"),
            slot("feedback_answer", "yes"),
            slot("feedback_topic", None),
            action("action_listen"),
        ],
    ),
    "c2": (
        DAY1 + timedelta(minutes=5),
        [
            action("action_listen"),
            user(
                "can you take my piano away, call 07700 900123", "bulky_waste_collection", "webchat"
            ),
            action("action_answer_faq"),
            slot("feedback_topic", "bulky_waste_collection"),
            action("action_listen"),
            user("no", "deny", "webchat"),
            action("action_reply"),
            slot("feedback_answer", "no"),
            slot("feedback_topic", None),
            action("action_listen"),
        ],
    ),
    "+447700900555": (
        DAY1 + timedelta(minutes=10),
        [
            action("action_listen"),
            user("can I get a dog licence at SW1A 1AA", "nlu_fallback", "sms"),
            action("action_fallback"),
            bot("Sorry"),
            action("action_listen"),
        ],
    ),
    "c4": (
        DAY1 + timedelta(minutes=15),
        [
            action("action_listen"),
            user("a person please", "request_human", "webchat"),
            action("action_handoff"),
            action("action_listen"),
        ],
    ),
    "c5": (
        DAY2,
        [
            action("action_listen"),
            user("where is MB-204117", "check_request_status", "webchat"),
            action("action_check_status"),
            action("action_listen"),
        ],
    ),
    "c6": (
        DAY1 + timedelta(minutes=20),
        [
            action("action_listen"),
            user("what is the weather", "out_of_scope", "sms"),
            action("action_reply"),
            action("action_listen"),
            user("what band am I", "council_tax_band", "sms"),
            action("action_answer_faq"),
            action("action_listen"),
        ],
    ),
    "c7": (
        DAY2 + timedelta(minutes=30),
        [
            action("action_listen"),
            user("I have nowhere to sleep tonight", "homelessness", "webchat"),
            action("action_answer_urgent"),
            action("action_handoff"),
            action("action_listen"),
        ],
    ),
    "old": (
        OLD,
        [
            action("action_listen"),
            user("hello", "greet", "webchat"),
            action("action_reply"),
        ],
    ),
}


def seed_tracker(engine: Engine) -> None:
    """Create Rasa's events table (as Rasa would) and write the seeded conversations."""
    TRACKER_METADATA.create_all(engine)
    rows = []
    for sender, (start, events) in CONVERSATIONS.items():
        for number, event in enumerate(events):
            moment = (start + timedelta(seconds=number)).timestamp()
            data = {**event, "timestamp": moment}
            intent = event["parse_data"]["intent"]["name"] if event["event"] == "user" else None
            rows.append(
                {
                    "sender_id": sender,
                    "type_name": event["event"],
                    "timestamp": moment,
                    "intent_name": intent,
                    "action_name": event.get("name") if event["event"] == "action" else None,
                    "data": json.dumps(data),
                }
            )
    with engine.begin() as connection:
        connection.execute(tracker_events.insert(), rows)


def seed_project(engine: Engine) -> None:
    """Tickets, requests and a failed look-up that go with the seeded conversations."""
    with session_scope(engine) as session:
        for number, (conversation, reason, created, wait) in enumerate(
            [
                ("c4", "asked for a person", DAY1 + timedelta(minutes=15), 4),
                ("c7", "homelessness", DAY2 + timedelta(minutes=30), 10),
                ("other", "asked for a person", DAY2 + timedelta(minutes=40), 2),
            ]
        ):
            ticket = HandoffTicket(
                conversation_id=conversation,
                channel="web",
                topic="general",
                reason=reason,
                priority="normal",
                priority_rank=2,
                status="claimed",
                created_at=created,
                claimed_at=created + timedelta(minutes=wait),
                contact=f"07700 90000{number}",
            )
            session.add(ticket)
            session.flush()
            session.add(
                TicketMessage(
                    ticket_id=ticket.id,
                    author_kind="resident",
                    text=f"my name is Jane, ticket {number}",
                    created_at=created,
                )
            )
        for reference, channel, phone in [
            ("MB-100001", "web", "+447700900555"),
            ("PH-100002", "sms", None),
        ]:
            session.add(
                ServiceRequest(
                    reference=reference,
                    category="missed_bin" if reference[:2] == "MB" else "pothole",
                    status="received",
                    location="1 High Street",
                    description="missed",
                    channel=channel,
                    contact_phone=phone,
                    contact_email="jo@example.com",
                    created_at=DAY1,
                    updated_at=DAY1,
                )
            )
        session.add(FailedStatusLookup(conversation_hash="x" * 64, at=DAY2))


def seed(engine: Engine) -> None:
    """Tracker events and project rows in one database."""
    seed_tracker(engine)
    seed_project(engine)
