"""Queries for subject access and erasure: one resident's rows across the project's tables.

Tracker events are found by conversation id (an SMS conversation's id is the phone
number) or by the phone number or email address appearing in what was written.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.db.handoff import HandoffTicket
from bot.db.insight import has_tracker_table, tracker_events
from bot.db.notifications import NotificationSubscription
from bot.db.sms import SmsInbound, SmsOutbound, SmsPendingOptions


def senders_mentioning(engine: Engine, needles: Sequence[str]) -> list[str]:
    """Conversation ids whose events contain any of `needles` (case-insensitive)."""
    wanted = [n.lower() for n in needles if n and len(n) >= 5]
    if not wanted or not has_tracker_table(engine):
        return []
    query = (
        select(tracker_events.c.sender_id)
        .where(or_(*[func.lower(tracker_events.c.data).contains(n) for n in wanted]))
        .distinct()
    )
    with engine.connect() as connection:
        return [row.sender_id for row in connection.execute(query)]


def senders_with_id(engine: Engine, conversation_ids: Sequence[str]) -> list[str]:
    """Those of `conversation_ids` that have events in the tracker store."""
    if not conversation_ids or not has_tracker_table(engine):
        return []
    query = (
        select(tracker_events.c.sender_id)
        .where(tracker_events.c.sender_id.in_(list(conversation_ids)))
        .distinct()
    )
    with engine.connect() as connection:
        return [row.sender_id for row in connection.execute(query)]


def tickets_with_contact(session: Session, contacts: Sequence[str]) -> list[HandoffTicket]:
    """Handoff tickets whose contact field holds one of `contacts`."""
    wanted = [c.lower() for c in contacts if c]
    if not wanted:
        return []
    return list(
        session.execute(
            select(HandoffTicket).where(func.lower(HandoffTicket.contact).in_(wanted))
        ).scalars()
    )


def sms_sent_to(session: Session, phone: str) -> list[SmsOutbound]:
    """Text messages sent to `phone` (E.164)."""
    query = select(SmsOutbound).where(SmsOutbound.recipient == phone)
    return list(session.execute(query).scalars())


def delete_sms_records(session: Session, phone: str, number_hash: str) -> int:
    """Remove texts sent to this number and its inbound and pending-option records.

    Opt-outs stay: they are what stops us texting the number again.
    """
    removed = 0
    for statement in (
        delete(SmsOutbound).where(SmsOutbound.recipient == phone),
        delete(SmsInbound).where(SmsInbound.number_hash == number_hash),
        delete(SmsPendingOptions).where(SmsPendingOptions.number_hash == number_hash),
    ):
        removed += int(session.execute(statement).rowcount or 0)
    return removed


def subscriptions_for(session: Session, contacts: Sequence[str]) -> list[NotificationSubscription]:
    """Reminder and alert subscriptions to one of `contacts` (phone or email)."""
    wanted = [c for c in contacts if c]
    if not wanted:
        return []
    return list(
        session.execute(
            select(NotificationSubscription).where(NotificationSubscription.contact.in_(wanted))
        ).scalars()
    )
