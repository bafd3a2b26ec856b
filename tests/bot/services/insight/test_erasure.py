from __future__ import annotations

from datetime import date

import pytest
from insight_seed import seed
from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.db.handoff import TicketMessage
from bot.db.models import ServiceRequest
from bot.db.session import session_scope
from bot.db.sms import SmsOutbound
from bot.privacy import hash_identifier
from bot.services.insight.erasure import (
    ERASED_TEXT,
    ResidentNotIdentified,
    erase,
    resident_keys,
    subject_access,
)
from bot.services.insight.measures import build_report

FIRST, LAST = date(2026, 11, 2), date(2026, 11, 3)


def _sms(engine: Engine) -> None:
    from datetime import datetime, timezone

    with session_scope(engine) as session:
        session.add(
            SmsOutbound(
                idempotency_key="k1",
                provider="outbox",
                recipient=None,
                recipient_hash=hash_identifier("+447700900555"),
                body="Your bin is booked",
                status="sent",
                created_at=datetime(2026, 11, 2, tzinfo=timezone.utc),
                updated_at=datetime(2026, 11, 2, tzinfo=timezone.utc),
            )
        )


def test_subject_access_by_phone_finds_the_sms_conversation_requests_and_texts(
    migrated_engine: Engine,
) -> None:
    seed(migrated_engine)
    _sms(migrated_engine)
    found = subject_access(migrated_engine, migrated_engine, resident_keys(phone="07700 900555"))
    assert [c["conversation_id"] for c in found["conversations"]] == ["+447700900555"]
    assert found["conversations"][0]["messages"][0]["text"].startswith("can I get a dog licence")
    assert [r["reference"] for r in found["service_requests"]] == ["MB-100001"]
    assert [t["text"] for t in found["texts_sent"]] == ["Your bin is booked"]


def test_a_phone_number_written_in_a_web_chat_finds_that_conversation(
    migrated_engine: Engine,
) -> None:
    seed(migrated_engine)
    found = subject_access(migrated_engine, migrated_engine, resident_keys(phone="07700900123"))
    assert [c["conversation_id"] for c in found["conversations"]] == ["c2"]


def test_subject_access_by_conversation_id_includes_handoff_messages(
    migrated_engine: Engine,
) -> None:
    seed(migrated_engine)
    found = subject_access(migrated_engine, migrated_engine, resident_keys(conversation_id="c4"))
    assert [t["reason"] for t in found["handoff_tickets"]] == ["asked for a person"]
    assert found["handoff_tickets"][0]["messages"][0]["text"] == "my name is Jane, ticket 0"


def test_erasure_removes_the_residents_data_and_keeps_the_counts(migrated_engine: Engine) -> None:
    seed(migrated_engine)
    _sms(migrated_engine)
    before = build_report(migrated_engine, migrated_engine, FIRST, LAST)["totals"]
    removed = erase(migrated_engine, migrated_engine, resident_keys(phone="+447700900555"))
    assert removed["conversations"] == 1 and removed["sms_records_deleted"] == 1
    assert removed["requests_cleared"] == 1
    after = subject_access(migrated_engine, migrated_engine, resident_keys(phone="07700900555"))
    assert after["conversations"] == [] and after["texts_sent"] == []
    assert after["service_requests"] == []
    with session_scope(migrated_engine) as session:
        request = session.execute(
            select(ServiceRequest).where(ServiceRequest.reference == "MB-100001")
        ).scalar_one()
        assert (request.contact_phone, request.contact_email) == (None, None)
        assert request.description == ERASED_TEXT
    assert build_report(migrated_engine, migrated_engine, FIRST, LAST)["totals"] == before


def test_erasure_by_conversation_id_blanks_its_handoff_messages(migrated_engine: Engine) -> None:
    seed(migrated_engine)
    erase(migrated_engine, migrated_engine, resident_keys(conversation_id="c4"))
    with session_scope(migrated_engine) as session:
        texts = [m.text for m in session.execute(select(TicketMessage)).scalars()]
    assert texts.count(ERASED_TEXT) == 1 and "my name is Jane, ticket 1" in texts


@pytest.mark.parametrize(
    "keys", [{}, {"phone": "12345"}, {"email": "not-an-email"}, {"conversation_id": "x" * 300}]
)
def test_a_resident_must_be_identified_clearly(keys: dict[str, str]) -> None:
    with pytest.raises(ResidentNotIdentified):
        resident_keys(**keys)
