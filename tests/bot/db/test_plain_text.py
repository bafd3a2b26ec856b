"""NUL and other control characters from outside are stored without them, on SQLite and on
PostgreSQL (whose driver refuses a NUL in text with ValueError)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.db import sms as store
from bot.db.handoff import HandoffTicket
from bot.db.session import session_scope
from bot.db.text import plain_text
from bot.services import handoff
from bot.services.handoff import TranscriptTurn

T0 = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)
DIRTY = "my bin\x00 was\x07 missed\r\nagain\tsorry\x1b\x7f"
CLEAN = "my bin was missed\nagain\tsorry"


def test_plain_text_keeps_newlines_and_tabs_and_drops_the_other_controls() -> None:
    assert plain_text(DIRTY) == CLEAN
    assert plain_text("Café £5 – ok") == "Café £5 – ok"


def test_a_text_with_a_nul_is_claimed_stored_clean_and_a_retry_is_still_a_retry(
    migrated_engine: Engine,
) -> None:
    text = store.Inbound("twilio", "SM-nul-1", "+447700900001", DIRTY)
    assert store.claim_inbound(migrated_engine, text, "hash-1") is True
    assert store.claim_inbound(migrated_engine, text, "hash-1") is False
    [unfinished] = store.unfinished_inbound(migrated_engine, stale_after=timedelta(seconds=-1))
    assert unfinished.body == CLEAN


def test_a_resident_message_with_a_nul_goes_onto_their_ticket_clean(
    migrated_engine: Engine,
) -> None:
    conversation = "web:abc\x00def"
    with session_scope(migrated_engine) as session:
        handoff.open_ticket(
            session,
            conversation,
            "web",
            "bins",
            "asked for a person",
            None,
            [TranscriptTurn("resident", "help\x00", "request_human", T0)],
            now=T0,
        )
    with session_scope(migrated_engine) as session:
        message = handoff.add_resident_message(session, conversation, DIRTY, T0, "inform")
        assert message is not None
    with session_scope(migrated_engine) as session:
        ticket = session.scalars(select(HandoffTicket)).one()
        assert ticket.conversation_id == "web:abcdef"
        assert [m.text for m in ticket.messages] == ["help", CLEAN]
        # The same conversation, written the same way, still finds its open ticket.
        assert handoff.open_ticket_for(session, conversation) is not None
