"""Erasure and subject access find a resident however their number or email was written,
by the SMS conversation's hashed id, and across tickets, texts and subscriptions."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from insight_seed import action, bot, user
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from bot.db.handoff import HandoffTicket, TicketMessage
from bot.db.insight import TRACKER_METADATA, tracker_events
from bot.db.models import ServiceRequest
from bot.db.notifications import (
    NotificationConsent,
    NotificationSubscription,
    ReminderDelivery,
)
from bot.db.session import session_scope
from bot.db.sms import SmsInbound, SmsNumber, SmsOptOut, SmsOutbound, SmsPendingOptions
from bot.privacy import hash_identifier
from bot.services.insight.erasure import ERASED_TEXT, erase, resident_keys, subject_access
from bot.services.notification_subscriptions import subscribe

NUMBER = "+447700900555"
NUMBER_HASH = hash_identifier(NUMBER)
SMS_ID = f"sms:{NUMBER_HASH}"
AT = datetime(2026, 11, 2, 10, 0, tzinfo=timezone.utc)
SPELLINGS = [
    "07700 900555",
    "+44 7700 900555",
    "07700-900-555",
    "(07700) 900555",
    "447700900555",
    "+44 (0)7700 900555",
]
# Conversations: the resident's own by text, web chats that wrote the number (or email) in
# other ways, and a stranger's with a number that only shares the last digits.
CONVERSATIONS = {
    SMS_ID: [user("when is my bin day", "bin_collection_day", "sms"), bot("Thursday")],
    "web-dashed": [user("text me on 07700-900-555 please", "inform", "webchat")],
    "web-spaced": [user("it's 0 7 7 0 0 9 0 0 5 5 5", "inform", "webchat")],
    "web-email": [user("email me at  Jo.Bloggs@Example.ORG ", "inform", "webchat")],
    "stranger": [user("my number is 07700 900 655 and flat 555", "inform", "webchat")],
    "lookalike": [
        user("I'm bjo.bloggs@example.org or jo.bloggs@example.org.uk", "inform", "webchat")
    ],
}


def _seed(engine: Engine) -> None:
    TRACKER_METADATA.create_all(engine)
    rows = []
    for sender, events in CONVERSATIONS.items():
        for n, event in enumerate([action("action_listen"), *events]):
            moment = (AT + timedelta(seconds=n)).timestamp()
            rows.append(
                {
                    "sender_id": sender,
                    "type_name": event["event"],
                    "timestamp": moment,
                    "intent_name": None,
                    "action_name": event.get("name"),
                    "data": json.dumps({**event, "timestamp": moment}),
                }
            )
    with engine.begin() as connection:
        connection.execute(tracker_events.insert(), rows)
    with session_scope(engine) as session:
        tickets = [
            HandoffTicket(conversation_id=SMS_ID, channel="sms", contact=None),
            HandoffTicket(conversation_id="web-other", channel="web", contact="(07700) 900555"),
            HandoffTicket(conversation_id="web-note", channel="web", contact=None),
            HandoffTicket(conversation_id="stranger", channel="web", contact="07700 900655"),
        ]
        for ticket in tickets:
            ticket.topic, ticket.reason, ticket.priority, ticket.priority_rank = (
                "general",
                "asked for a person",
                "normal",
                2,
            )
            ticket.status, ticket.created_at = "closed", AT
            session.add(ticket)
            session.flush()
            text = (
                "ring me on +44 (0)7700 900555"
                if ticket.conversation_id == "web-note"
                else f"hello from {ticket.conversation_id}"
            )
            session.add(
                TicketMessage(ticket_id=ticket.id, author_kind="resident", text=text, created_at=AT)
            )
        session.add(
            ServiceRequest(
                reference="PH-332561",
                category="pothole",
                status="received",
                location="High St",
                description="deep hole",
                channel="web",
                contact_phone="07700-900-555",
                contact_email=None,
                created_at=AT,
                updated_at=AT,
            )
        )
        session.add(SmsNumber(number_hash=NUMBER_HASH, number=NUMBER, first_seen_at=AT))
        session.add(
            SmsInbound(
                provider="outbox",
                provider_message_id="m1",
                number_hash=NUMBER_HASH,
                received_at=AT,
                processed_at=AT,
            )
        )
        session.add(SmsPendingOptions(number_hash=NUMBER_HASH, options_json="[]", offered_at=AT))
        session.add(SmsOptOut(number_hash=NUMBER_HASH, opted_out_at=AT))
        session.add(
            SmsOutbound(
                idempotency_key="k1",
                provider="outbox",
                recipient=None,
                recipient_hash=NUMBER_HASH,
                body="Your bin is Thursday",
                status="sent",
                created_at=AT,
                updated_at=AT,
            )
        )
        session.add(
            SmsOutbound(
                idempotency_key="k2",
                provider="twilio",
                recipient=NUMBER,
                recipient_hash=NUMBER_HASH,
                body="Still to send",
                status="queued",
                created_at=AT,
                updated_at=AT,
            )
        )
        for kind, contact in (
            ("sms", NUMBER),
            ("email", "jo.bloggs@example.org"),
            ("sms", "+447700900655"),
        ):
            sub = subscribe(
                session,
                contact_kind=kind,
                contact=contact,
                uprn="100023336956",
                channel="sms",
                wording="Bin reminders",
                now=AT,
                confirmed=True,
            )
            if contact == NUMBER:
                session.add(
                    ReminderDelivery(
                        idempotency_key="r1",
                        subscription_id=sub.id,
                        contact_hash=NUMBER_HASH,
                        collection_date=AT.date(),
                        body="Bins tomorrow",
                        status="sent",
                        claimed_at=AT,
                    )
                )


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_subject_access_finds_everything_however_the_number_is_written(
    migrated_engine: Engine, spelling: str
) -> None:
    _seed(migrated_engine)
    found = subject_access(migrated_engine, migrated_engine, resident_keys(phone=spelling))
    assert sorted(c["conversation_id"] for c in found["conversations"]) == [
        SMS_ID,
        "web-dashed",
        "web-spaced",
    ]
    assert sorted(t["conversation_id"] for t in found["handoff_tickets"]) == [
        SMS_ID,
        "web-note",
        "web-other",
    ]
    assert [r["reference"] for r in found["service_requests"]] == ["PH-332561"]
    assert sorted(t["text"] for t in found["texts_sent"]) == [
        "Still to send",
        "Your bin is Thursday",
    ]
    assert found["sms_number_kept"]["number"] == NUMBER
    assert [s["contact"] for s in found["subscriptions"]] == [NUMBER]


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_erasure_by_any_spelling_removes_the_number_everywhere_and_spares_a_stranger(
    migrated_engine: Engine, spelling: str
) -> None:
    _seed(migrated_engine)
    removed = erase(migrated_engine, migrated_engine, resident_keys(phone=spelling))
    assert removed["conversations"] == 3 and removed["subscriptions_deleted"] == 1
    assert removed["tickets_cleared"] == 3 and removed["requests_cleared"] == 1
    with migrated_engine.connect() as connection:
        senders = set(connection.execute(select(tracker_events.c.sender_id)).scalars())
    assert senders == {"web-email", "stranger", "lookalike"}
    with session_scope(migrated_engine) as session:
        tickets = {t.conversation_id: t for t in session.execute(select(HandoffTicket)).scalars()}
        assert [tickets[c].contact for c in (SMS_ID, "web-note", "web-other", "stranger")] == [
            None,
            None,
            None,
            "07700 900655",
        ]
        texts = {m.ticket_id: m.text for m in session.execute(select(TicketMessage)).scalars()}
        assert texts[tickets["web-note"].id] == ERASED_TEXT
        assert texts[tickets["stranger"].id] == "hello from stranger"
        for model in (SmsNumber, SmsInbound, SmsPendingOptions, SmsOutbound, ReminderDelivery):
            assert session.execute(select(func.count()).select_from(model)).scalar() == 0
        # The opt-out (a hash only) stays: it still stops us texting the number.
        assert session.get(SmsOptOut, NUMBER_HASH) is not None
        subscriptions = session.execute(select(NotificationSubscription)).scalars().all()
        assert [s.contact for s in subscriptions] == ["jo.bloggs@example.org", "+447700900655"]
        withdrawn = (
            session.execute(
                select(NotificationConsent.withdrawn_how).where(
                    NotificationConsent.contact_hash == NUMBER_HASH
                )
            )
            .scalars()
            .all()
        )
        assert withdrawn == ["erasure"]
    after = subject_access(migrated_engine, migrated_engine, resident_keys(phone=NUMBER))
    assert after["conversations"] == [] and after["texts_sent"] == []
    assert after["sms_number_kept"] is None and after["subscriptions"] == []
    assert after["handoff_tickets"] == [] or all(
        m["text"] == ERASED_TEXT for t in after["handoff_tickets"] for m in t["messages"]
    )


@pytest.mark.parametrize("email", ["jo.bloggs@example.org", "  JO.Bloggs@Example.ORG  "])
def test_erasure_by_email_in_any_case_removes_its_conversation_and_subscription(
    migrated_engine: Engine, email: str
) -> None:
    _seed(migrated_engine)
    removed = erase(migrated_engine, migrated_engine, resident_keys(email=email))
    assert removed["conversations"] == 1 and removed["subscriptions_deleted"] == 1
    with migrated_engine.connect() as connection:
        senders = set(connection.execute(select(tracker_events.c.sender_id)).scalars())
    assert "web-email" not in senders and {SMS_ID, "lookalike"} <= senders


def test_erasure_by_the_hashed_conversation_id_removes_that_conversation(
    migrated_engine: Engine,
) -> None:
    _seed(migrated_engine)
    found = subject_access(migrated_engine, migrated_engine, resident_keys(conversation_id=SMS_ID))
    assert [c["conversation_id"] for c in found["conversations"]] == [SMS_ID]
    erase(migrated_engine, migrated_engine, resident_keys(conversation_id=SMS_ID))
    with migrated_engine.connect() as connection:
        senders = set(connection.execute(select(tracker_events.c.sender_id)).scalars())
    assert SMS_ID not in senders and "web-dashed" in senders
