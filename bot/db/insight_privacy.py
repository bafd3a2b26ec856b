"""Queries for subject access and erasure: one resident's rows across the project's tables.

Tracker events are found by conversation id (an SMS conversation's id is `sms:<hash of
the number>`) or by the phone number or email address appearing in what was written.
Queries "like" a contact take cheap text needles and return candidates: the caller
(bot/services/insight/erasure.py) reads each one for the number however it was written.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.db.handoff import HandoffTicket, TicketMessage
from bot.db.insight import has_tracker_table, tracker_events
from bot.db.models import ServiceRequest
from bot.db.notifications import (
    AlertDelivery,
    NotificationCode,
    NotificationConsent,
    NotificationSubscription,
    ReminderDelivery,
)
from bot.db.sms import SmsInbound, SmsNumber, SmsOutbound, SmsPendingOptions


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


def events_containing(engine: Engine, needles: Sequence[str]) -> list[tuple[str, str]]:
    """(conversation id, event data) of tracker events whose data contains any of
    `needles` (case-insensitive): candidates to read."""
    wanted = [n.lower() for n in needles if n]
    if not wanted or not has_tracker_table(engine):
        return []
    query = select(tracker_events.c.sender_id, tracker_events.c.data).where(
        or_(*[func.lower(tracker_events.c.data).contains(n) for n in wanted])
    )
    with engine.connect() as connection:
        return [(row.sender_id, str(row.data or "")) for row in connection.execute(query)]


def tickets_with_contact_like(session: Session, needles: Sequence[str]) -> list[HandoffTicket]:
    """Handoff tickets whose contact contains any of `needles` (case-insensitive)."""
    wanted = [n.lower() for n in needles if n]
    if not wanted:
        return []
    condition = or_(*[func.lower(HandoffTicket.contact).contains(n) for n in wanted])
    return list(session.execute(select(HandoffTicket).where(condition)).scalars())


def ticket_messages_like(session: Session, needles: Sequence[str]) -> list[TicketMessage]:
    """Ticket messages whose text contains any of `needles` (case-insensitive)."""
    wanted = [n.lower() for n in needles if n]
    if not wanted:
        return []
    condition = or_(*[func.lower(TicketMessage.text).contains(n) for n in wanted])
    return list(session.execute(select(TicketMessage).where(condition)).scalars())


def requests_like(session: Session, needles: Sequence[str]) -> list[ServiceRequest]:
    """Service requests whose contact details or description contain any of `needles`."""
    wanted = [n.lower() for n in needles if n]
    if not wanted:
        return []
    columns = (
        ServiceRequest.contact_phone,
        ServiceRequest.contact_email,
        ServiceRequest.description,
    )
    condition = or_(*[func.lower(c).contains(n) for c in columns for n in wanted])
    return list(session.execute(select(ServiceRequest).where(condition)).scalars())


def sms_sent_to(session: Session, number_hash: str) -> list[SmsOutbound]:
    """Text messages sent (or to send) to the number with this hash."""
    query = select(SmsOutbound).where(SmsOutbound.recipient_hash == number_hash)
    return list(session.execute(query).scalars())


def kept_number(session: Session, number_hash: str) -> SmsNumber | None:
    """The SMS channel's record of the plain number for this hash, if any."""
    return session.get(SmsNumber, number_hash)


def delete_sms_records(session: Session, number_hash: str) -> int:
    """Remove texts sent to this number, its inbound and pending-option records, and the
    plain number kept for its conversation.

    Opt-outs stay: they hold only the hash, and are what stops us texting the number again.
    """
    removed = 0
    for statement in (
        delete(SmsOutbound).where(SmsOutbound.recipient_hash == number_hash),
        delete(SmsInbound).where(SmsInbound.number_hash == number_hash),
        delete(SmsPendingOptions).where(SmsPendingOptions.number_hash == number_hash),
        delete(SmsNumber).where(SmsNumber.number_hash == number_hash),
    ):
        removed += int(session.execute(statement).rowcount or 0)
    return removed


def subscriptions_for(
    session: Session, contact_hashes: Sequence[str]
) -> list[NotificationSubscription]:
    """Reminder and alert subscriptions to one of the contacts with these hashes."""
    wanted = [c for c in contact_hashes if c]
    if not wanted:
        return []
    query = select(NotificationSubscription).where(
        NotificationSubscription.contact_hash.in_(wanted)
    )
    return list(session.execute(query).scalars())


def delete_subscriptions(session: Session, subscription_ids: Sequence[int], now: datetime) -> int:
    """Delete these subscriptions with their codes and delivery records; their consent
    records (a hash, the wording and dates: the proof of consent) are marked withdrawn."""
    ids = list(subscription_ids)
    if not ids:
        return 0
    consents = select(NotificationSubscription.consent_id).where(
        NotificationSubscription.id.in_(ids)
    )
    session.execute(
        update(NotificationConsent)
        .where(NotificationConsent.id.in_(consents), NotificationConsent.withdrawn_at.is_(None))
        .values(withdrawn_at=now, withdrawn_how="erasure")
        .execution_options(synchronize_session=False)
    )
    for model in (NotificationCode, ReminderDelivery, AlertDelivery):
        session.execute(delete(model).where(model.subscription_id.in_(ids)))
    result = session.execute(
        delete(NotificationSubscription).where(NotificationSubscription.id.in_(ids))
    )
    return int(result.rowcount or 0)
