"""Insight's data access: Rasa's tracker events (read, anonymise, erase) and the daily
aggregates that outlive the conversations they count.

Rasa creates the `events` table itself (SQLTrackerStore); it is described here on its
own MetaData so that our migrations never create or alter it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Column,
    Date,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    delete,
    func,
    inspect,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.db.base import Base
from bot.db.handoff import HandoffTicket, TicketMessage
from bot.db.models import FailedStatusLookup, ServiceRequest

TRACKER_METADATA = MetaData()

# The columns of rasa.core.tracker_store.SQLTrackerStore.SQLEvent (Rasa 3.6).
tracker_events = Table(
    "events",
    TRACKER_METADATA,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)

COUNTERS = (
    "conversations",
    "contained",
    "handed_off",
    "user_messages",
    "fallback_messages",
    "topic_messages",
    "feedback_yes",
    "feedback_no",
    "status_lookups",
)


class DailyAggregate(Base):
    """Counts for one London day, channel and topic, kept after the conversations go."""

    __tablename__ = "insight_daily_aggregates"

    id = Column(Integer, primary_key=True)
    day = Column(Date, nullable=False, index=True)
    channel = Column(String(32), nullable=False)
    topic = Column(String(64), nullable=False)
    conversations = Column(Integer, nullable=False, default=0)
    contained = Column(Integer, nullable=False, default=0)
    handed_off = Column(Integer, nullable=False, default=0)
    user_messages = Column(Integer, nullable=False, default=0)
    fallback_messages = Column(Integer, nullable=False, default=0)
    topic_messages = Column(Integer, nullable=False, default=0)
    feedback_yes = Column(Integer, nullable=False, default=0)
    feedback_no = Column(Integer, nullable=False, default=0)
    status_lookups = Column(Integer, nullable=False, default=0)

    __table_args__ = (UniqueConstraint("day", "channel", "topic"),)


@dataclass(frozen=True)
class TrackerEvent:
    """One row of Rasa's events table, its JSON already parsed."""

    sender_id: str
    type_name: str
    timestamp: float
    intent_name: str | None
    action_name: str | None
    data: dict[str, Any]


def _event(row: Any) -> TrackerEvent:
    try:
        data = json.loads(row.data) if row.data else {}
    except ValueError:
        data = {}
    return TrackerEvent(
        sender_id=row.sender_id,
        type_name=row.type_name,
        timestamp=float(row.timestamp or 0.0),
        intent_name=row.intent_name,
        action_name=row.action_name,
        data=data if isinstance(data, dict) else {},
    )


def has_tracker_table(engine: Engine) -> bool:
    """True when Rasa has created its events table in this database."""
    return inspect(engine).has_table("events")


@dataclass(frozen=True)
class TrackerMark:
    """How far the events table had got: its newest row and how many rows it held."""

    last_id: int
    last_sender: str
    last_timestamp: float
    rows: int


def tracker_mark(engine: Engine) -> TrackerMark | None:
    """The events table's mark now (one statement: one consistent view); None when the
    table does not exist or is empty."""
    if not has_tracker_table(engine):
        return None
    t = tracker_events.c
    rows = select(func.count()).select_from(tracker_events).scalar_subquery()
    with engine.connect() as connection:
        last = connection.execute(
            select(t.id, t.sender_id, t.timestamp, rows.label("rows"))
            .order_by(t.id.desc())
            .limit(1)
        ).first()
    if last is None:
        return None
    return TrackerMark(int(last.id), last.sender_id, float(last.timestamp or 0.0), int(last.rows))


def added_between(engine: Engine, before: TrackerMark, after: TrackerMark) -> list[str] | None:
    """The conversations with events added after `before` up to `after`, or None when
    rows were deleted in between (or their ids reused): then what was read up to `before`
    can no longer be trusted."""
    t = tracker_events.c
    added = (
        select(func.count())
        .select_from(tracker_events)
        .where(t.id > before.last_id, t.id <= after.last_id)
        .scalar_subquery()
    )
    with engine.connect() as connection:
        kept = connection.execute(
            select(t.sender_id, t.timestamp, added.label("added")).where(t.id == before.last_id)
        ).first()
        if (
            kept is None
            or (kept.sender_id, float(kept.timestamp or 0.0))
            != (before.last_sender, before.last_timestamp)
            or after.rows != before.rows + int(kept.added)
        ):
            return None
        return list(
            connection.execute(
                select(t.sender_id).where(t.id > before.last_id, t.id <= after.last_id).distinct()
            ).scalars()
        )


def events_for_reading(
    engine: Engine,
    senders: Sequence[str] | None,
    types: Sequence[str],
    skip_actions: Sequence[str],
) -> tuple[dict[str, float], dict[str, list[TrackerEvent]]]:
    """For the given conversations (None: all), the time of each one's first event, and
    its events of `types` in order, actions named in `skip_actions` left out. Only user and
    slot events, and actions without a name column, have their JSON parsed (the rest carry
    `data={}`): parsing is most of the time for a busy month."""
    t = tracker_events.c
    firsts = select(t.sender_id, func.min(t.timestamp)).group_by(t.sender_id)
    query = select(tracker_events).where(
        t.type_name.in_(types),
        or_(t.type_name != "action", t.action_name.is_(None), t.action_name.not_in(skip_actions)),
    )
    if senders is not None:
        firsts = firsts.where(t.sender_id.in_(list(senders)))
        query = query.where(t.sender_id.in_(list(senders)))
    query = query.order_by(t.sender_id, t.timestamp, t.id)
    found: dict[str, list[TrackerEvent]] = {}
    with engine.connect() as connection:
        first_seen = {sender: float(moment or 0.0) for sender, moment in connection.execute(firsts)}
        for row in connection.execute(query):
            parse = row.type_name in ("user", "slot") or not row.action_name
            event = (
                _event(row)
                if parse
                else TrackerEvent(
                    row.sender_id,
                    row.type_name,
                    float(row.timestamp or 0.0),
                    row.intent_name,
                    row.action_name,
                    {},
                )
            )
            found.setdefault(row.sender_id, []).append(event)
    return first_seen, found


def senders_last_seen_before(engine: Engine, cutoff: float) -> list[str]:
    """Conversations whose latest event is older than `cutoff` (a UNIX time)."""
    if not has_tracker_table(engine):
        return []
    query = (
        select(tracker_events.c.sender_id)
        .group_by(tracker_events.c.sender_id)
        .having(func.max(tracker_events.c.timestamp) < cutoff)
    )
    with engine.connect() as connection:
        return [row.sender_id for row in connection.execute(query)]


def events_of_senders(engine: Engine, senders: Sequence[str]) -> dict[str, list[TrackerEvent]]:
    """Every event of the given conversations, in order."""
    if not senders or not has_tracker_table(engine):
        return {}
    query = (
        select(tracker_events)
        .where(tracker_events.c.sender_id.in_(list(senders)))
        .order_by(tracker_events.c.sender_id, tracker_events.c.timestamp, tracker_events.c.id)
    )
    found: dict[str, list[TrackerEvent]] = {}
    with engine.connect() as connection:
        for row in connection.execute(query):
            found.setdefault(row.sender_id, []).append(_event(row))
    return found


def delete_tracker_events(engine: Engine, senders: Sequence[str]) -> int:
    """Remove every event of the given conversations; returns how many rows went."""
    if not senders or not has_tracker_table(engine):
        return 0
    with engine.begin() as connection:
        result = connection.execute(
            delete(tracker_events).where(tracker_events.c.sender_id.in_(list(senders)))
        )
    return int(result.rowcount or 0)


def add_aggregates(session: Session, rows: Iterable[dict[str, Any]]) -> None:
    """Add counts to the stored daily aggregates (one row per day, channel, topic)."""
    for row in rows:
        stored = session.execute(
            select(DailyAggregate).where(
                DailyAggregate.day == row["day"],
                DailyAggregate.channel == row["channel"],
                DailyAggregate.topic == row["topic"],
            )
        ).scalar_one_or_none()
        if stored is None:
            stored = DailyAggregate(
                day=row["day"],
                channel=row["channel"],
                topic=row["topic"],
                **{name: 0 for name in COUNTERS},
            )
            session.add(stored)
        for name in COUNTERS:
            setattr(stored, name, int(getattr(stored, name) or 0) + int(row.get(name, 0)))
        session.flush()


def aggregates_between(session: Session, first: date, last: date) -> list[dict[str, Any]]:
    """Stored daily aggregates for days first..last inclusive, as plain dicts."""
    rows = session.execute(
        select(DailyAggregate).where(DailyAggregate.day >= first, DailyAggregate.day <= last)
    ).scalars()
    return [
        {
            "day": r.day,
            "channel": r.channel,
            "topic": r.topic,
            **{name: int(getattr(r, name)) for name in COUNTERS},
        }
        for r in rows
    ]


def tickets_created_between(
    session: Session, since: datetime, until: datetime
) -> list[HandoffTicket]:
    """Handoff tickets opened in [since, until)."""
    return list(
        session.execute(
            select(HandoffTicket).where(
                HandoffTicket.created_at >= since, HandoffTicket.created_at < until
            )
        ).scalars()
    )


def requests_created_between(
    session: Session, since: datetime, until: datetime
) -> list[tuple[datetime, str, str]]:
    """(created_at, channel, category) of service requests made in [since, until)."""
    rows = session.execute(
        select(ServiceRequest.created_at, ServiceRequest.channel, ServiceRequest.category).where(
            ServiceRequest.created_at >= since, ServiceRequest.created_at < until
        )
    )
    return [(r[0], r[1], r[2]) for r in rows]


def failed_lookups_between(session: Session, since: datetime, until: datetime) -> list[datetime]:
    """When status look-ups that found nothing happened, in [since, until)."""
    rows = session.execute(
        select(FailedStatusLookup.at).where(
            FailedStatusLookup.at >= since, FailedStatusLookup.at < until
        )
    )
    return [r[0] for r in rows]


def tickets_of_conversations(
    session: Session, conversation_ids: Sequence[str]
) -> list[HandoffTicket]:
    """Handoff tickets of the given conversations."""
    if not conversation_ids:
        return []
    return list(
        session.execute(
            select(HandoffTicket).where(HandoffTicket.conversation_id.in_(list(conversation_ids)))
        ).scalars()
    )


def ticket_messages(session: Session, ticket_ids: Sequence[int]) -> list[TicketMessage]:
    """Messages of the given tickets, oldest first."""
    if not ticket_ids:
        return []
    return list(
        session.execute(
            select(TicketMessage)
            .where(TicketMessage.ticket_id.in_(list(ticket_ids)))
            .order_by(TicketMessage.created_at)
        ).scalars()
    )


def blank_ticket_texts(session: Session, ticket_ids: Sequence[int], placeholder: str) -> int:
    """Replace the text of the given tickets' messages and contacts (kept for the counts)."""
    if not ticket_ids:
        return 0
    result = session.execute(
        update(TicketMessage)
        .where(TicketMessage.ticket_id.in_(list(ticket_ids)))
        .values(text=placeholder)
    )
    session.execute(
        update(HandoffTicket).where(HandoffTicket.id.in_(list(ticket_ids))).values(contact=None)
    )
    return int(result.rowcount or 0)


def requests_with_contact(
    session: Session, phone: str | None, email: str | None
) -> list[ServiceRequest]:
    """Service requests whose stored contact is this phone number or email address."""
    conditions = []
    if phone:
        conditions.append(ServiceRequest.contact_phone == phone)
    if email:
        conditions.append(func.lower(ServiceRequest.contact_email) == email.lower())
    if not conditions:
        return []
    return list(session.execute(select(ServiceRequest).where(or_(*conditions))).scalars())
