"""The SMS channel's tables and every query on them.

Numbers are stored as keyed hashes (bot/privacy.py), and a conversation's id is
`sms:<hash>`. The plain number is kept in one place, `sms_numbers` (the hash to the
number, so staff replies and pushed messages can reach a conversation), and besides only
while it is needed: on an inbound text until it is processed, on an outbound text until
it is sent (or given up).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import (
    Column,
    Integer,
    String,
    Text,
    UniqueConstraint,
    bindparam,
    case,
    delete,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert

from bot.db.base import Base
from bot.db.prepared import Transaction, short_transaction
from bot.db.session import session_scope
from bot.db.text import PlainText
from bot.db.types import UtcDateTime

STATUS_QUEUED = "queued"
STATUS_SENT = "sent"
STATUS_RETRYING = "retrying"
STATUS_FAILED = "failed"
STATUS_SUPPRESSED = "suppressed"  # the number has opted out
# Once a text has one of these, it is never sent again: its recipient's number is cleared.
FINAL_STATUSES = (STATUS_SENT, STATUS_FAILED, STATUS_SUPPRESSED)
CONVERSATION_PREFIX = "sms:"


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class SmsInbound(Base):
    """One provider message id seen: the unique pair makes each one processed once.

    Until it has been processed the row keeps the sender's number and the text, so that a
    text accepted by a process that then stopped is not lost (`unfinished_inbound`); both
    are cleared once it is done, leaving the hash."""

    __tablename__ = "sms_inbound"
    __table_args__ = (UniqueConstraint("provider", "provider_message_id"),)

    id = Column(Integer, primary_key=True)
    provider = Column(String(16), nullable=False)
    provider_message_id = Column(String(64), nullable=False)
    number_hash = Column(String(128), index=True, nullable=False)
    received_at = Column(UtcDateTime, default=utcnow, nullable=False)
    sender = Column(String(32))
    body = Column(PlainText)
    processed_at = Column(UtcDateTime, index=True)


class SmsNumber(Base):
    """The one place a resident's plain number is kept for their conversation (`sms:<hash>`):
    what staff replies and pushed messages are sent to. Erasure deletes it."""

    __tablename__ = "sms_numbers"

    number_hash = Column(String(128), primary_key=True)
    number = Column(String(32), nullable=False)
    first_seen_at = Column(UtcDateTime, default=utcnow, nullable=False)


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
    recipient = Column(String(20))  # cleared once the text is sent, suppressed or failed
    recipient_hash = Column(String(128), index=True, nullable=False)
    body = Column(PlainText, nullable=False)
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
    recipient: str | None  # None once sent, suppressed or failed
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


# The functions a text passes through on every turn run statements built once, here, with
# bound parameters: building a statement per call (and SQLAlchemy's cache key for it) cost
# several times the query itself (0.46 -> 0.10 ms for the claim; scratch timing loop).
# They run in a `short_transaction`: on SQLite, compiled once and run on a kept connection
# (0.165 -> 0.058 ms for the claim with the number's state, in the same loop).
_INBOUND = SmsInbound.__table__
_OPT_OUT = SmsOptOut.__table__
_OPTIONS = SmsPendingOptions.__table__
_OUTBOUND = SmsOutbound.__table__

_CLAIM = insert(_INBOUND)
_PROCESSED = (
    update(_INBOUND)
    .where(
        _INBOUND.c.provider == bindparam("of_provider"),
        _INBOUND.c.provider_message_id == bindparam("message_id"),
    )
    .values(processed_at=bindparam("done_at"), sender=None, body=None)
)
_OPTED_OUT = select(_OPT_OUT.c.number_hash).where(_OPT_OUT.c.number_hash == bindparam("number"))


def _options_column(column: Any) -> Any:
    return select(column).where(_OPTIONS.c.number_hash == bindparam("number")).scalar_subquery()


# A number's whole state in one statement (one row, whether or not it has any).
_STATE_OF = select(
    _OPTED_OUT.exists().label("opted_out"),
    _options_column(_OPTIONS.c.options_json).label("options_json"),
    _options_column(_OPTIONS.c.offered_at).label("offered_at"),
)
_NUMBERS = SmsNumber.__table__
# Kept in the claim's transaction; a number already kept stays as it is.
_REMEMBER_NUMBER: dict[str, Insert] = {
    "sqlite": sqlite.insert(_NUMBERS).on_conflict_do_nothing(),
    "postgresql": postgresql.insert(_NUMBERS).on_conflict_do_nothing(),
}
_FORGET_OPTIONS = delete(_OPTIONS).where(_OPTIONS.c.number_hash == bindparam("number"))
_KEEP_OPTIONS = insert(_OPTIONS)


@dataclass(frozen=True)
class Inbound:
    """A validated text from a resident: provider, the provider's id, E.164 sender, body."""

    provider: str
    message_id: str
    sender: str
    body: str


def conversation_id(number_hash: str) -> str:
    """The Rasa conversation id of the number with this hash: `sms:<hash>`, never the number."""
    return CONVERSATION_PREFIX + number_hash


def number_hash_of(conversation: str) -> str | None:
    """The number hash in an SMS conversation id, or None for any other id."""
    if not conversation.startswith(CONVERSATION_PREFIX):
        return None
    return conversation[len(CONVERSATION_PREFIX) :] or None


def number_for(engine: Engine, number_hash: str) -> str | None:
    """The plain number kept for this hash, or None (never texted us, or erased)."""
    with engine.connect() as connection:
        return connection.execute(
            select(_NUMBERS.c.number).where(_NUMBERS.c.number_hash == number_hash)
        ).scalar()


def kept_number(session: Session, number_hash: str) -> str | None:
    """`number_for` in a session (the action server's)."""
    row = session.get(SmsNumber, number_hash)
    return str(row.number) if row is not None else None


def claim_inbound(engine: Engine, text: Inbound, number_hash: str) -> bool:
    """Record a provider's message id with the text, until it is processed, and keep the
    number for its conversation; False when the id was already recorded (a retry)."""
    try:
        with short_transaction(engine) as transaction:
            _claim(transaction, text, number_hash, engine.dialect.name)
    except IntegrityError:
        return False
    return True


def _claim(transaction: Transaction, text: Inbound, number_hash: str, dialect: str) -> None:
    transaction.run(
        _REMEMBER_NUMBER[dialect],
        {"number_hash": number_hash, "number": text.sender, "first_seen_at": utcnow()},
    )
    transaction.run(
        _CLAIM,
        {
            "provider": text.provider,
            "provider_message_id": text.message_id,
            "number_hash": number_hash,
            "received_at": utcnow(),
            "sender": text.sender,
            "body": text.body,
            "processed_at": None,
        },
    )


def mark_processed(engine: Engine, provider: str, message_id: str) -> None:
    """The text is done with (answered, or deliberately not): forget its number and words."""
    with short_transaction(engine) as transaction:
        _mark_processed(transaction, (provider, message_id))


def _mark_processed(transaction: Transaction, text: tuple[str, str]) -> None:
    provider, message_id = text
    transaction.run(
        _PROCESSED, {"of_provider": provider, "message_id": message_id, "done_at": utcnow()}
    )


def unfinished_inbound(engine: Engine, stale_after: timedelta, limit: int = 100) -> list[Inbound]:
    """Texts received more than `stale_after` ago and never processed, oldest first: ones a
    stopped process had accepted (a live one finishes its texts well within that)."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                _INBOUND.c.provider,
                _INBOUND.c.provider_message_id,
                _INBOUND.c.sender,
                _INBOUND.c.body,
            )
            .where(
                _INBOUND.c.processed_at.is_(None),
                _INBOUND.c.body.is_not(None),
                _INBOUND.c.sender.is_not(None),
                _INBOUND.c.received_at <= utcnow() - stale_after,
            )
            .order_by(_INBOUND.c.id)
            .limit(limit)
        ).all()
    return [Inbound(row.provider, row.provider_message_id, row.sender, row.body) for row in rows]


def _opted_out(connection: Connection, number_hash: str) -> bool:
    return connection.execute(_OPTED_OUT, {"number": number_hash}).first() is not None


def is_opted_out(engine: Engine, number_hash: str) -> bool:
    """True when the number has texted STOP and not START since."""
    with engine.connect() as connection:
        return _opted_out(connection, number_hash)


def set_opted_out(engine: Engine, number_hash: str, opted_out: bool) -> None:
    """Opt the number out (STOP) or back in (START); repeating either is harmless."""
    with session_scope(engine) as session:
        row = session.get(SmsOptOut, number_hash)
        if opted_out and row is None:
            session.add(SmsOptOut(number_hash=number_hash))
        elif not opted_out and row is not None:
            session.delete(row)


@dataclass(frozen=True)
class NumberState:
    """What processing a text from a number needs to know first, read at once."""

    opted_out: bool
    options: list[dict[str, Any]]  # offered within the age asked for
    has_stored_options: bool  # any row at all, however old (so it can be forgotten)


def _number_state(
    transaction: Transaction, number_hash: str, options_max_age: timedelta
) -> NumberState:
    row = transaction.one(_STATE_OF, {"number": number_hash})
    opted_out = bool(row.opted_out)
    if row.options_json is None:
        return NumberState(opted_out, [], False)
    fresh = row.offered_at >= utcnow() - options_max_age
    return NumberState(opted_out, list(json.loads(row.options_json)) if fresh else [], True)


def number_state(engine: Engine, number_hash: str, options_max_age: timedelta) -> NumberState:
    """Whether the number opted out and the options last offered to it, in one read."""
    with short_transaction(engine) as transaction:
        return _number_state(transaction, number_hash, options_max_age)


def claim_with_state(
    engine: Engine, text: Inbound, number_hash: str, options_max_age: timedelta
) -> NumberState | None:
    """`claim_inbound` and `number_state` in one transaction: the state, or None for a
    message id already recorded. For a text with none before it still to process."""
    try:
        with short_transaction(engine) as transaction:
            _claim(transaction, text, number_hash, engine.dialect.name)
            return _number_state(transaction, number_hash, options_max_age)
    except IntegrityError:
        return None


def save_options(engine: Engine, number_hash: str, options: list[dict[str, Any]]) -> None:
    """Remember the options just offered (an empty list forgets earlier ones)."""
    with short_transaction(engine) as transaction:
        _save_options(transaction, number_hash, options)


def _save_options(
    transaction: Transaction, number_hash: str, options: list[dict[str, Any]]
) -> None:
    transaction.run(_FORGET_OPTIONS, {"number": number_hash})
    if options:
        transaction.run(
            _KEEP_OPTIONS,
            {
                "number_hash": number_hash,
                "options_json": json.dumps(options),
                "offered_at": utcnow(),
            },
        )


_OUTBOUND_FIELDS = (
    _OUTBOUND.c.id,
    _OUTBOUND.c.idempotency_key,
    _OUTBOUND.c.recipient,
    _OUTBOUND.c.body,
    _OUTBOUND.c.status,
    _OUTBOUND.c.attempts,
    _OUTBOUND.c.last_error,
    _OUTBOUND.c.created_at,
)
# Whether the number opted out, and the text already stored under the key if there is one
# (all its fields null if not): one row in one statement.
_OPT_OUT_AND_KEY = select(_OPTED_OUT.exists().label("opted_out"), *_OUTBOUND_FIELDS).select_from(
    select(literal(1).label("one"))
    .subquery()
    .outerjoin(_OUTBOUND, _OUTBOUND.c.idempotency_key == bindparam("key"))
)
_ADD_OUTBOUND = insert(_OUTBOUND)
# Bound names differ from the column names: SQLAlchemy keeps those for its own SET values.
_RECORD_ATTEMPT = (
    update(_OUTBOUND)
    .where(_OUTBOUND.c.id == bindparam("outbound_id"))
    .values(
        status=bindparam("new_status", type_=_OUTBOUND.c.status.type),
        attempts=_OUTBOUND.c.attempts + bindparam("increment", type_=Integer()),
        last_error=bindparam("error", type_=_OUTBOUND.c.last_error.type),
        next_attempt_at=bindparam("next_at", type_=_OUTBOUND.c.next_attempt_at.type),
        updated_at=bindparam("now", type_=_OUTBOUND.c.updated_at.type),
        recipient=case(
            (bindparam("final", type_=Integer()) == 1, None), else_=_OUTBOUND.c.recipient
        ),
        provider_message_id=func.coalesce(
            bindparam("provider_id", type_=_OUTBOUND.c.provider_message_id.type),
            _OUTBOUND.c.provider_message_id,
        ),
    )
)


@dataclass(frozen=True)
class StoredText:
    """`add_outbound`'s answer: the text, whether this call stored it, and whether its
    recipient had opted out at that moment."""

    text: OutboundText
    created: bool
    opted_out: bool


@dataclass(frozen=True)
class NewText:
    """A text to store: its idempotency key, provider, recipient (and its hash) and body."""

    key: str
    provider: str
    recipient: str
    recipient_hash: str
    body: str


def add_outbound(
    engine: Engine,
    new: NewText,
    *,
    options: list[dict[str, Any]] | None = None,
    answers: tuple[str, str] | None = None,
) -> StoredText:
    """Store a text to send, queued (kept as it was when its key was already stored), and
    read in the same transaction whether the recipient has opted out. With `options`, also
    remember them as the options offered to the recipient; with `answers` (an inbound
    text's provider and message id), mark that text processed (see `add_delivered`)."""
    return _store(engine, new, lambda _opted_out: STATUS_QUEUED, options, answers)


def add_delivered(
    engine: Engine,
    new: NewText,
    *,
    send_when_opted_out: bool = False,
    options: list[dict[str, Any]] | None = None,
    answers: tuple[str, str] | None = None,
) -> StoredText:
    """Store a text that storing delivers (the local outbox) with its final status at once:
    sent, or suppressed when the recipient has opted out (unless `send_when_opted_out`,
    for a STOP's confirmation). With `options`, also remember them as the options
    offered to the recipient (an empty list forgets earlier ones), and with `answers`
    (the provider and message id of the inbound text it answers) mark that text
    processed (`mark_processed`), in the same transaction.
    A key already stored keeps its text and status; the options and the mark are still
    saved."""

    def final_status(opted_out: bool) -> str:
        return STATUS_SUPPRESSED if opted_out and not send_when_opted_out else STATUS_SENT

    return _store(engine, new, final_status, options, answers)


def _store(
    engine: Engine,
    new: NewText,
    status_for: Callable[[bool], str],
    options: list[dict[str, Any]] | None,
    answers: tuple[str, str] | None,
) -> StoredText:
    with short_transaction(engine) as transaction:
        if options is not None:
            _save_options(transaction, new.recipient_hash, options)
        if answers is not None:
            _mark_processed(transaction, answers)
        return _add_outbound(transaction, new, status_for)


def _add_outbound(
    transaction: Transaction, new: NewText, status_for: Callable[[bool], str]
) -> StoredText:
    """Insert `new` with the status `status_for(opted out)` gives, unless its key is stored."""
    found = transaction.one(_OPT_OUT_AND_KEY, {"number": new.recipient_hash, "key": new.key})
    opted_out = bool(found.opted_out)
    if found.id is not None:
        return StoredText(OutboundText(*found[1:]), False, opted_out)
    moment = utcnow()
    status = status_for(opted_out)
    attempts = 1 if status == STATUS_SENT else 0
    new_id = transaction.run(
        _ADD_OUTBOUND,
        {
            "idempotency_key": new.key,
            "provider": new.provider,
            # A text stored already sent or suppressed is never sent again: no number kept.
            "recipient": None if status in FINAL_STATUSES else new.recipient,
            "recipient_hash": new.recipient_hash,
            "body": new.body,
            "status": status,
            "attempts": attempts,
            "next_attempt_at": moment if status == STATUS_QUEUED else None,
            "created_at": moment,
            "updated_at": moment,
        },
    )
    if new_id is None:
        raise LookupError("the database gave no id for the stored text")
    recipient = None if status in FINAL_STATUSES else new.recipient
    text = OutboundText(new_id, new.key, recipient, new.body, status, attempts, None, moment)
    return StoredText(text, True, opted_out)


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
    with engine.begin() as connection:
        updated = connection.execute(
            _RECORD_ATTEMPT,
            {
                "outbound_id": outbound_id,
                "new_status": status,
                "increment": 1 if counts_as_attempt else 0,
                "error": error[:500] if error else None,
                "next_at": next_attempt_at,
                "now": utcnow(),
                "final": 1 if status in FINAL_STATUSES else 0,
                "provider_id": provider_message_id or None,
            },
        ).rowcount
    if updated != 1:
        raise LookupError(f"no outbound text {outbound_id}")


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
