"""A handed-over resident says something urgent: the ticket goes to the top of the queue,
once, with an audit entry. Real databases (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.db.handoff import AuditEntry, HandoffTicket
from bot.db.session import session_scope
from bot.safety.labels import URGENT_LABELS
from bot.services import handoff
from bot.services.handoff import InvalidHandoff
from bot.services.handoff_queue import LatestTicket, latest_ticket, waiting_tickets
from bot.services.handoff_urgency import raise_to_urgent
from tests.bot.services.test_handoff import T0, make_staff, make_ticket


def audits(engine, ticket_id: int) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        found = session.execute(select(AuditEntry).where(AuditEntry.ticket_id == ticket_id))
        return [(a.action, a.detail) for a in found.scalars()]


def test_an_urgent_message_puts_a_normal_ticket_first_in_the_queue_with_an_audit_entry(
    migrated_engine,
):
    earlier = make_ticket(migrated_engine, "c0", at=T0)
    later = make_ticket(migrated_engine, "c1", at=T0 + timedelta(minutes=5))
    with session_scope(migrated_engine) as session:
        raised = raise_to_urgent(session, "c1", "homelessness", T0 + timedelta(minutes=6))
        assert raised is not None and raised.id == later
    with session_scope(migrated_engine) as session:
        ticket = session.get(HandoffTicket, later)
        assert (ticket.priority, ticket.status) == ("urgent", "waiting")
        assert [t.id for t in waiting_tickets(session)] == [later, earlier]
    assert audits(migrated_engine, later) == [("urgent", "resident said: homelessness")]


def test_a_second_urgent_message_changes_nothing_more(migrated_engine):
    ticket = make_ticket(migrated_engine, "c1")
    for _ in range(2):
        with session_scope(migrated_engine) as session:
            raise_to_urgent(session, "c1", "safeguarding_concern", T0)
    assert audits(migrated_engine, ticket) == [("urgent", "resident said: safeguarding_concern")]


@pytest.mark.parametrize("label", URGENT_LABELS)
def test_every_urgent_label_raises_the_ticket(migrated_engine, label: str):
    ticket = make_ticket(migrated_engine, "c1")
    with session_scope(migrated_engine) as session:
        assert raise_to_urgent(session, "c1", label, T0) is not None
    with session_scope(migrated_engine) as session:
        assert session.get(HandoffTicket, ticket).priority == "urgent"


def test_a_closed_ticket_or_a_label_that_is_not_urgent_is_left_alone(migrated_engine):
    ticket = make_ticket(migrated_engine, "c1")
    with session_scope(migrated_engine) as session:
        with pytest.raises(InvalidHandoff):
            raise_to_urgent(session, "c1", "bin_collection_day", T0)
        handoff.cancel_by_resident(session, "c1", T0)
    with session_scope(migrated_engine) as session:
        assert raise_to_urgent(session, "c1", "homelessness", T0) is None
        assert raise_to_urgent(session, "nobody", "homelessness", T0) is None
    with session_scope(migrated_engine) as session:
        assert session.get(HandoffTicket, ticket).priority == "normal"


def test_the_latest_ticket_asked_per_message_says_whether_it_is_still_open(migrated_engine):
    assert latest_ticket(migrated_engine, "c1") is None
    assert latest_ticket(migrated_engine, "") is None
    first = make_ticket(migrated_engine, "c1")
    assert latest_ticket(migrated_engine, "c1") == LatestTicket(first, True)
    ann = make_staff(migrated_engine, "ann")
    with session_scope(migrated_engine) as session:
        handoff.claim(session, first, ann, T0)
    assert latest_ticket(migrated_engine, "c1") == LatestTicket(first, True)  # claimed: open
    with session_scope(migrated_engine) as session:
        handoff.resolve(session, first, ann, "answered", T0)
    assert latest_ticket(migrated_engine, "c1") == LatestTicket(first, False)
    second = make_ticket(migrated_engine, "c1", at=T0 + timedelta(hours=1))
    assert latest_ticket(migrated_engine, "c1") == LatestTicket(second, True)
