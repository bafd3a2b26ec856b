"""The handoff queue's rules, on SQLite and PostgreSQL (fixtures from tests/conftest.py)."""

import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot.db.handoff import AuditEntry, HandoffTicket, StaffAccount
from bot.db.session import session_scope
from bot.services import handoff
from bot.services.handoff import (
    AlreadyClaimed,
    InvalidHandoff,
    NotAllowed,
    TicketClosed,
    TranscriptTurn,
)

T0 = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)


def make_staff(engine, username, role="advisor"):
    with session_scope(engine) as session:
        staff = StaffAccount(
            username=username, role=role, password_hash="x", active=True, created_at=T0
        )
        session.add(staff)
        session.flush()
        return staff.id


def make_ticket(engine, conversation_id, topic="council_tax_pay", at=T0, priority=None):
    with session_scope(engine) as session:
        ticket = handoff.open_ticket(
            session,
            conversation_id,
            "web",
            topic,
            "asked for a person",
            priority,
            [
                TranscriptTurn("resident", "I need help", "request_human", at),
                TranscriptTurn("bot", "I can pass you to a person.", None, at),
            ],
            now=at,
        )
        return ticket.id


def test_open_ticket_keeps_the_transcript_with_detected_intents(migrated_engine):
    ticket_id = make_ticket(migrated_engine, "c1")
    with session_scope(migrated_engine) as session:
        ticket = session.get(HandoffTicket, ticket_id)
        assert [(m.author_kind, m.intent) for m in ticket.messages] == [
            ("resident", "request_human"),
            ("bot", None),
        ]
        assert ticket.status == "waiting"


def test_open_ticket_is_idempotent_per_conversation(migrated_engine):
    first = make_ticket(migrated_engine, "c1")
    second = make_ticket(migrated_engine, "c1", at=T0 + timedelta(minutes=5))
    assert first == second


def test_a_new_ticket_can_open_once_the_last_one_is_resolved(migrated_engine):
    advisor = make_staff(migrated_engine, "ann")
    first = make_ticket(migrated_engine, "c1")
    with session_scope(migrated_engine) as session:
        handoff.claim(session, first, advisor, T0)
        handoff.resolve(session, first, advisor, "answered", T0)
    assert make_ticket(migrated_engine, "c1") != first


def test_urgent_topics_jump_the_queue_and_waiting_time_orders_the_rest(migrated_engine):
    a = make_ticket(migrated_engine, "a", at=T0)
    b = make_ticket(migrated_engine, "b", at=T0 + timedelta(minutes=1))
    urgent = make_ticket(migrated_engine, "u", topic="homelessness", at=T0 + timedelta(minutes=2))
    with session_scope(migrated_engine) as session:
        assert [t.id for t in handoff.waiting_tickets(session)] == [urgent, a, b]
        assert handoff.queue_position(session, urgent) == 1
        assert handoff.queue_position(session, a) == 2
        assert handoff.queue_position(session, b) == 3


def test_queue_position_is_zero_once_claimed(migrated_engine):
    advisor = make_staff(migrated_engine, "ann")
    a = make_ticket(migrated_engine, "a")
    b = make_ticket(migrated_engine, "b", at=T0 + timedelta(minutes=1))
    with session_scope(migrated_engine) as session:
        handoff.claim(session, a, advisor, T0 + timedelta(minutes=3))
    with session_scope(migrated_engine) as session:
        assert handoff.queue_position(session, a) == 0
        assert handoff.queue_position(session, b) == 1


def test_typical_wait_is_the_median_of_recent_claim_waits(migrated_engine):
    advisor = make_staff(migrated_engine, "ann")
    with session_scope(migrated_engine) as session:
        assert handoff.typical_wait(session, T0) is None
    for minutes, name in ((2, "a"), (4, "b"), (30, "c")):
        ticket = make_ticket(migrated_engine, name)
        with session_scope(migrated_engine) as session:
            handoff.claim(session, ticket, advisor, T0 + timedelta(minutes=minutes))
    with session_scope(migrated_engine) as session:
        assert handoff.typical_wait(session, T0 + timedelta(hours=1)) == timedelta(minutes=4)
        # Claims older than a week no longer count.
        assert handoff.typical_wait(session, T0 + timedelta(days=8)) is None


def test_claim_fails_for_the_second_advisor(migrated_engine):
    ann, bob = make_staff(migrated_engine, "ann"), make_staff(migrated_engine, "bob")
    ticket = make_ticket(migrated_engine, "c1")
    with session_scope(migrated_engine) as session:
        handoff.claim(session, ticket, ann, T0)
    with pytest.raises(AlreadyClaimed), session_scope(migrated_engine) as session:
        handoff.claim(session, ticket, bob, T0)


def test_two_advisors_claiming_at_once_only_one_wins(migrated_engine):
    staff = [make_staff(migrated_engine, f"s{i}") for i in range(2)]
    for round_number in range(5):
        ticket = make_ticket(migrated_engine, f"race{round_number}")
        barrier = threading.Barrier(2)
        results: list[str] = []

        def attempt(staff_id, ticket=ticket, barrier=barrier, results=results):
            barrier.wait()
            try:
                with session_scope(migrated_engine) as session:
                    handoff.claim(session, ticket, staff_id, T0)
                results.append("won")
            except AlreadyClaimed:
                results.append("lost")

        threads = [threading.Thread(target=attempt, args=(s,)) for s in staff]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(results) == ["lost", "won"]
        with session_scope(migrated_engine) as session:
            claims = session.execute(
                select(AuditEntry).where(
                    AuditEntry.ticket_id == ticket, AuditEntry.action == "claim"
                )
            ).scalars()
            assert len(list(claims)) == 1


def test_only_the_claimant_or_a_supervisor_can_reply(migrated_engine):
    ann, bob = make_staff(migrated_engine, "ann"), make_staff(migrated_engine, "bob")
    sue = make_staff(migrated_engine, "sue", role="supervisor")
    ticket = make_ticket(migrated_engine, "c1")
    with pytest.raises(NotAllowed), session_scope(migrated_engine) as session:
        handoff.add_staff_reply(session, ticket, ann, "Hello", T0)
    with session_scope(migrated_engine) as session:
        handoff.claim(session, ticket, ann, T0)
        handoff.add_staff_reply(session, ticket, ann, "Hello, I'm Ann.", T0)
    with pytest.raises(NotAllowed), session_scope(migrated_engine) as session:
        handoff.add_staff_reply(session, ticket, bob, "Hi", T0)
    with session_scope(migrated_engine) as session:
        handoff.add_staff_reply(session, ticket, sue, "Supervisor here.", T0)
        kinds = [m.author_kind for m in session.get(HandoffTicket, ticket).messages]
        assert kinds == ["resident", "bot", "staff", "staff"]


def test_empty_or_overlong_replies_are_refused_and_nothing_is_stored(migrated_engine):
    ann = make_staff(migrated_engine, "ann")
    ticket = make_ticket(migrated_engine, "c1")
    with session_scope(migrated_engine) as session:
        handoff.claim(session, ticket, ann, T0)
    for text in ("   ", "x" * 2001):
        with pytest.raises(InvalidHandoff), session_scope(migrated_engine) as session:
            handoff.add_staff_reply(session, ticket, ann, text, T0)
    with session_scope(migrated_engine) as session:
        assert len(session.get(HandoffTicket, ticket).messages) == 2


def test_notes_resolve_and_audit_trail(migrated_engine):
    ann = make_staff(migrated_engine, "ann")
    ticket = make_ticket(migrated_engine, "c1")
    with session_scope(migrated_engine) as session:
        handoff.claim(session, ticket, ann, T0)
        handoff.add_note(session, ticket, ann, "Checked the account.", T0)
        handoff.resolve(session, ticket, ann, "answered", T0)
    with session_scope(migrated_engine) as session:
        saved = session.get(HandoffTicket, ticket)
        assert (saved.status, saved.outcome) == ("resolved", "answered")
        assert handoff.open_ticket_for(session, "c1") is None
        actions = session.execute(
            select(AuditEntry.action).where(AuditEntry.ticket_id == ticket).order_by(AuditEntry.id)
        ).scalars()
        assert list(actions) == ["claim", "note", "resolve"]
    with pytest.raises(TicketClosed), session_scope(migrated_engine) as session:
        handoff.add_staff_reply(session, ticket, ann, "Too late", T0)


def test_resolve_refuses_an_unknown_outcome(migrated_engine):
    ann = make_staff(migrated_engine, "ann")
    ticket = make_ticket(migrated_engine, "c1")
    with session_scope(migrated_engine) as session:
        handoff.claim(session, ticket, ann, T0)
    with pytest.raises(InvalidHandoff), session_scope(migrated_engine) as session:
        handoff.resolve(session, ticket, ann, "ignored", T0)


def test_only_supervisors_reassign(migrated_engine):
    ann, bob = make_staff(migrated_engine, "ann"), make_staff(migrated_engine, "bob")
    sue = make_staff(migrated_engine, "sue", role="supervisor")
    ticket = make_ticket(migrated_engine, "c1")
    with session_scope(migrated_engine) as session:
        handoff.claim(session, ticket, ann, T0)
    with pytest.raises(NotAllowed), session_scope(migrated_engine) as session:
        handoff.reassign(session, ticket, ann, bob, T0)
    with session_scope(migrated_engine) as session:
        handoff.reassign(session, ticket, sue, bob, T0)
    with session_scope(migrated_engine) as session:
        assert session.get(HandoffTicket, ticket).claimed_by == bob
        handoff.add_staff_reply(session, ticket, bob, "Bob here.", T0)


def test_resident_messages_go_to_the_open_ticket_and_cancel_closes_it(migrated_engine):
    ticket = make_ticket(migrated_engine, "c1")
    with session_scope(migrated_engine) as session:
        message = handoff.add_resident_message(session, "c1", "Still there?", T0, "greet")
        assert message is not None and message.ticket_id == ticket
        assert handoff.add_resident_message(session, "nobody", "hi", T0) is None
    with session_scope(migrated_engine) as session:
        assert handoff.cancel_by_resident(session, "c1", T0).status == "cancelled"
        assert handoff.open_ticket_for(session, "c1") is None


def test_the_migration_matches_the_models(migrated_engine):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import MetaData

    from bot.db import handoff as models

    tables = [
        models.StaffAccount, models.HandoffTicket, models.TicketMessage, models.AuditEntry,
        models.StaffSession, models.SignInAttempt, models.KnownDevice,
    ]  # fmt: skip
    names = {model.__table__.name for model in tables}
    metadata = MetaData()
    for model in tables:
        model.__table__.to_metadata(metadata)
    with migrated_engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "include_name": lambda name, kind, parent: kind != "table" or name in names,
            },
        )
        assert compare_metadata(context, metadata) == []


def test_opening_the_same_conversation_twice_at_once_gives_one_ticket(migrated_engine):
    for round_number in range(3):
        barrier = threading.Barrier(2)
        ids: list[int] = []
        errors: list[BaseException] = []

        def attempt(barrier=barrier, ids=ids, errors=errors, name=f"same-{round_number}"):
            barrier.wait()
            try:
                ids.append(make_ticket(migrated_engine, name))
            except BaseException as error:  # noqa: BLE001 - reported below
                errors.append(error)

        threads = [threading.Thread(target=attempt) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert len(ids) == 2 and ids[0] == ids[1]


def test_the_open_ticket_id_asked_per_message_follows_the_ticket(migrated_engine):
    from bot.services.handoff_queue import open_ticket_id

    assert open_ticket_id(migrated_engine, "c1") is None
    assert open_ticket_id(migrated_engine, "") is None
    ticket = make_ticket(migrated_engine, "c1")
    make_ticket(migrated_engine, "c2")
    assert open_ticket_id(migrated_engine, "c1") == ticket
    ann = make_staff(migrated_engine, "ann")
    with session_scope(migrated_engine) as session:
        handoff.claim(session, ticket, ann, T0)
    assert open_ticket_id(migrated_engine, "c1") == ticket  # claimed is still open
    with session_scope(migrated_engine) as session:
        handoff.resolve(session, ticket, ann, "answered", T0)
    assert open_ticket_id(migrated_engine, "c1") is None
