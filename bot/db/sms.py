"""The SMS channel's tables and every query on them.

Numbers are stored as keyed hashes except where a text must still be sent
(an outbound message needs its recipient until it is delivered).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import (
    Column,
    Integer,
    String,
    Text,
    UniqueConstraint,
    delete,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.db.base import Base
from bot.db.session import session_scope
from bot.db.types import UtcDateTime

STATUS_QUEUED = "queued"
STATUS_SENT = "sent"
STATUS_RETRYING = "retrying"
STATUS_FAILED = "failed"
STATUS_SUPPRESSED = "suppressed"  # the number has opted out


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class SmsInbound(Base):
    """One provider message id seen: the unique pair makes each one processed once."""

    __tablename__ = "sms_inbound"
    __table_args__ = (UniqueConstraint("provider", "provider_message_id"),)

    id = Column(Integer, primary_key=True)
    provider = Column(String(16), nullable=False)
    provider_message_id = Column(String(64), nullable=False)
    number_hash = Column(String(128), index=True, nullable=False)
    received_at = Column(UtcDateTime, default=utcnow, nullable=False)


class SmsOptOut(Base):
    """A number that texted STOP and has not texted START since."""

    __tablename__ = "sms_opt_out"

    number_hash = Column(String(128), primary_key=True)
    opted_out_at = Column(UtcDateTime, default=utcnow, nullable=False)


class SmsPendingOptions(Base):
    """The numbered options last offered to a number (so "2" means something)."""

    __tablename__ = "sms_pending_options"

    number_hash = Column(String(128), primary_key=True)
    options_json = Column(Text, nullable=False)
    offered_at = Column(UtcDateTime, default=utcnow, nullable=False)


class SmsOutbound(Base):
    """A text to send, with its delivery state: a failed one stays here, never dropped."""

    __tablename__ = "sms_outbound"

    id = Column(Integer, primary_key=True)
    idempotency_key = Column(String(128), unique=True, nullable=False)
    provider = Column(String(16), nullable=False)
    recipient = Column(String(20), nullable=False)
    recipient_hash = Column(String(128), index=True, nullable=False)
    body = Column(Text, nullable=False)
    status = Column(String(16), index=True, default=STATUS_QUEUED, nullable=False)
    attempts = Column(Integer, default=0, nullable=False)
    next_attempt_at = Column(UtcDateTime)
    last_error = Column(String(500))
    provider_message_id = Column(String(64))
    created_at = Column(UtcDateTime, default=utcnow, nullable=False)
    updated_at = Column(UtcDateTime, default=utcnow, nullable=False)


@dataclass(frozen=True)
class OutboundText:
    """A plain copy of one outbound row, safe to use after its session closes."""

    id: int
    idempotency_key: str
    recipient: str
    body: str
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime


def _outbound_text(row: SmsOutbound) -> OutboundText:
    return OutboundText(
        id=row.id,
        idempotency_key=row.idempotency_key,
        recipient=row.recipient,
        body=row.body,
        status=row.status,
        attempts=row.attempts,
        last_error=row.last_error,
        created_at=row.created_at,
    )


def claim_inbound(engine: Engine, provider: str, message_id: str, number_hash: str) -> bool:
    """Record a provider's message id; False when it was already recorded (a retry)."""
    try:
        with session_scope(engine) as session:
            session.add(
                SmsInbound(
                    provider=provider, provider_message_id=message_id, number_hash=number_hash
                )
            )
    except IntegrityError:
        return False
    return True


def is_opted_out(engine: Engine, number_hash: str) -> bool:
    """True when the number has texted STOP and not START since."""
    with session_scope(engine) as session:
        return session.get(SmsOptOut, number_hash) is not None


def set_opted_out(engine: Engine, number_hash: str, opted_out: bool) -> None:
    """Opt the number out (STOP) or back in (START); repeating either is harmless."""
    with session_scope(engine) as session:
        row = session.get(SmsOptOut, number_hash)
        if opted_out and row is None:
            session.add(SmsOptOut(number_hash=number_hash))
        elif not opted_out and row is not None:
            session.delete(row)


def save_options(engine: Engine, number_hash: str, options: list[dict[str, Any]]) -> None:
    """Remember the options just offered (an empty list forgets earlier ones)."""
    with session_scope(engine) as session:
        session.execute(
            delete(SmsPendingOptions).where(SmsPendingOptions.number_hash == number_hash)
        )
        if options:
            session.add(
                SmsPendingOptions(number_hash=number_hash, options_json=json.dumps(options))
            )


def pending_options(engine: Engine, number_hash: str, max_age: timedelta) -> list[dict[str, Any]]:
    """The options last offered to the number, if offered within `max_age`."""
    with session_scope(engine) as session:
        row = session.get(SmsPendingOptions, number_hash)
        if row is None or row.offered_at < utcnow() - max_age:
            return []
        return list(json.loads(row.options_json))


def add_outbound(
    engine: Engine, key: str, provider: str, recipient: str, recipient_hash: str, body: str
) -> tuple[OutboundText, bool]:
    """Store a text to send under `key`; returns it and False when `key` was already stored."""
    with session_scope(engine) as session:
        existing = session.scalars(
            select(SmsOutbound).where(SmsOutbound.idempotency_key == key)
        ).first()
        if existing is not None:
            return _outbound_text(existing), False
        row = SmsOutbound(
            idempotency_key=key,
            provider=provider,
            recipient=recipient,
            recipient_hash=recipient_hash,
            body=body,
            status=STATUS_QUEUED,
            attempts=0,
            next_attempt_at=utcnow(),
        )
        session.add(row)
        session.flush()
        return _outbound_text(row), True


def record_attempt(
    engine: Engine,
    outbound_id: int,
    status: str,
    *,
    error: str | None = None,
    provider_message_id: str | None = None,
    next_attempt_at: datetime | None = None,
    counts_as_attempt: bool = True,
) -> None:
    """Store the outcome of one send attempt (or a suppression) on an outbound text."""
    with session_scope(engine) as session:
        row = session.get(SmsOutbound, outbound_id)
        if row is None:
            raise LookupError(f"no outbound text {outbound_id}")
        row.status = status
        row.attempts = row.attempts + (1 if counts_as_attempt else 0)
        row.last_error = error[:500] if error else None
        row.provider_message_id = provider_message_id or row.provider_message_id
        row.next_attempt_at = next_attempt_at
        row.updated_at = utcnow()


def get_outbound(engine: Engine, outbound_id: int) -> OutboundText | None:
    """One outbound text by its id."""
    with session_scope(engine) as session:
        row = session.get(SmsOutbound, outbound_id)
        return _outbound_text(row) if row is not None else None


def due_outbound(engine: Engine, stale_after: timedelta, limit: int = 50) -> list[OutboundText]:
    """Texts still queued or retrying `stale_after` past their next attempt time, oldest
    first: ones a stopped process left behind (a live sender is still working on newer ones)."""
    with session_scope(engine) as session:
        rows = session.scalars(
            select(SmsOutbound)
            .where(SmsOutbound.status.in_([STATUS_QUEUED, STATUS_RETRYING]))
            .where(SmsOutbound.next_attempt_at <= utcnow() - stale_after)
            .order_by(SmsOutbound.id)
            .limit(limit)
        ).all()
        return [_outbound_text(row) for row in rows]


def outbound_for(
    engine: Engine, recipient_hash: str, after_id: int = 0, limit: int = 50
) -> list[OutboundText]:
    """Texts to one number after `after_id`, oldest first (the simulator's inbox)."""
    with session_scope(engine) as session:
        rows = session.scalars(
            select(SmsOutbound)
            .where(SmsOutbound.recipient_hash == recipient_hash)
            .where(SmsOutbound.id > after_id)
            .order_by(SmsOutbound.id)
            .limit(limit)
        ).all()
        return [_outbound_text(row) for row in rows]
