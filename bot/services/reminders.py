"""Bin-day reminders: when each is due, what it says, and sending each exactly once.

A reminder goes out the evening before a collection, from `send_time`
(Europe/London) until midnight; after that the bins are out or missed, so a
late run does not send it. The delivery row's UNIQUE key
`reminder:<subscription>:<collection date>` is committed before the text is
handed to the sender: a second scheduler finds the key taken, and a run that
crashed mid-send leaves a `claimed` row that a later run re-sends under the
same key (the SMS outbox ignores a key it already holds), so nothing goes twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.clock import LONDON, uk_date
from bot.content import get_content
from bot.db import sms as sms_store
from bot.db.notifications import (
    CONTACT_SMS,
    DELIVERY_CLAIMED,
    DELIVERY_FAILED,
    DELIVERY_SENT,
    DELIVERY_SUPPRESSED,
    SUBSCRIPTION_ACTIVE,
    NotificationSubscription,
    ReminderDelivery,
)
from bot.db.session import session_scope
from bot.services.collections import Collection, next_collections
from bot.services.notification_delivery import (
    Pace,
    RunReport,
    TextSender,
    count_sent_today,
    deliver,
    withdraw_after_stop,
)
from bot.services.sms_segments import count_segments

logger = logging.getLogger(__name__)

DEFAULT_SEND_TIME = time(18, 0)
# A claimed row older than this belongs to a run that stopped before finishing.
STALE_CLAIM = timedelta(minutes=10)


@dataclass(frozen=True)
class Reminder:
    """One reminder: the collection day, when it is sent, and the bins that go out."""

    collection_date: date
    send_at: datetime
    collections: tuple[Collection, ...]

    @property
    def containers(self) -> tuple[str, ...]:
        return tuple(c.container for c in self.collections)


def parse_send_time(text: str) -> time:
    """'18:00' -> time(18, 0); raises ValueError for anything else."""
    hours, _, minutes = text.strip().partition(":")
    return time(int(hours), int(minutes or 0))


def send_moment(collection_date: date, send_time: time = DEFAULT_SEND_TIME) -> datetime:
    """When the reminder for `collection_date` goes out: the evening before, London time."""
    return datetime.combine(collection_date - timedelta(days=1), send_time, tzinfo=LONDON)


def reminder_on(
    session: Session, uprn: str, collection_date: date, send_time: time = DEFAULT_SEND_TIME
) -> Reminder | None:
    """The reminder for the address's collections on `collection_date`, or None if none."""
    found = tuple(
        c for c in next_collections(session, uprn, collection_date) if c.date == collection_date
    )
    if not found:
        return None
    return Reminder(collection_date, send_moment(collection_date, send_time), found)


def reminder_schedule(
    session: Session, uprn: str, start: date, end: date, send_time: time = DEFAULT_SEND_TIME
) -> list[Reminder]:
    """Every reminder for collections from `start` to `end` inclusive, in date order.

    Bank-holiday changes, the garden-waste subscription and its winter break
    are all honoured (they come from `next_collections`).
    """
    reminders: list[Reminder] = []
    day = start
    while day <= end:
        upcoming = next_collections(session, uprn, day)
        if not upcoming or upcoming[0].date > end:
            break
        first = upcoming[0].date
        reminders.append(
            Reminder(
                first, send_moment(first, send_time), tuple(c for c in upcoming if c.date == first)
            )
        )
        day = first + timedelta(days=1)
    return reminders


def _bin_list(containers: tuple[str, ...]) -> str:
    names = list(dict.fromkeys(containers))
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def reminder_text(reminder: Reminder) -> str:
    """The reminder's words, fitting one SMS segment where possible (shorter form if not)."""
    content = get_content()
    moved = next((c.moved_from for c in reminder.collections if c.moved_from), None)
    values = {"bins": _bin_list(reminder.containers), "day": uk_date(reminder.collection_date)}
    candidates = []
    if moved is not None:
        candidates.append(content.text("reminder_sms_moved", moved_from=uk_date(moved), **values))
    candidates.append(content.text("reminder_sms", **values))
    candidates.append(content.text("reminder_sms_short", **values))
    for text in candidates:
        if count_segments(text).segments == 1:
            return text
    return candidates[-1]


@dataclass(frozen=True)
class _Due:
    subscription_id: int
    contact_kind: str
    contact: str
    contact_hash: str
    unsubscribe_token: str
    reminder: Reminder


def due_reminders(session: Session, now: datetime, send_time: time) -> list[_Due]:
    """Reminders whose window is open at `now`: active subscriptions with a collection tomorrow."""
    local = now.astimezone(LONDON)
    tomorrow = local.date() + timedelta(days=1)
    if local < send_moment(tomorrow, send_time):
        return []
    rows = session.scalars(
        select(NotificationSubscription)
        .where(NotificationSubscription.status == SUBSCRIPTION_ACTIVE)
        .where(NotificationSubscription.reminders.is_(True))
        .order_by(NotificationSubscription.id)
    ).all()
    due = []
    for row in rows:
        reminder = reminder_on(session, row.uprn, tomorrow, send_time)
        if reminder is not None:
            due.append(
                _Due(
                    row.id,
                    row.contact_kind,
                    row.contact,
                    row.contact_hash,
                    row.unsubscribe_token,
                    reminder,
                )
            )
    return due


def _key(item: _Due) -> str:
    return f"reminder:{item.subscription_id}:{item.reminder.collection_date.isoformat()}"


def _claim(engine: Engine, item: _Due, body: str, now: datetime) -> bool:
    """Store the delivery under its key; False when another run holds a live claim on it."""
    try:
        with session_scope(engine) as session:
            session.add(
                ReminderDelivery(
                    idempotency_key=_key(item),
                    subscription_id=item.subscription_id,
                    contact_hash=item.contact_hash,
                    collection_date=item.reminder.collection_date,
                    body=body,
                    status=DELIVERY_CLAIMED,
                    claimed_at=now.astimezone(timezone.utc),
                )
            )
        return True
    except IntegrityError:
        return _reclaim_stale(engine, _key(item), now)


def _reclaim_stale(engine: Engine, key: str, now: datetime) -> bool:
    """Take over a claim a crashed run left behind; one compare-and-set, so one winner."""
    cutoff = now.astimezone(timezone.utc) - STALE_CLAIM
    with session_scope(engine) as session:
        result = session.execute(
            update(ReminderDelivery)
            .where(ReminderDelivery.idempotency_key == key)
            .where(ReminderDelivery.status == DELIVERY_CLAIMED)
            .where(ReminderDelivery.claimed_at < cutoff)
            .values(claimed_at=now.astimezone(timezone.utc))
        )
        return result.rowcount == 1


def _finish(engine: Engine, key: str, status: str, error: str | None = None) -> None:
    with session_scope(engine) as session:
        session.execute(
            update(ReminderDelivery)
            .where(ReminderDelivery.idempotency_key == key)
            .values(
                status=status,
                finished_at=datetime.now(timezone.utc),
                last_error=error[:500] if error else None,
            )
        )


def _stopped_receiving(engine: Engine, item: _Due) -> bool:
    if item.contact_kind == CONTACT_SMS:
        return sms_store.is_opted_out(engine, item.contact_hash)
    return False


def _due(engine: Engine, now: datetime, send_time: time) -> list[_Due]:
    with session_scope(engine) as session:
        return due_reminders(session, now, send_time)


async def _send_one(
    engine: Engine,
    senders: Mapping[str, TextSender],
    item: _Due,
    now: datetime,
    daily_cap: int,
    report: RunReport,
) -> None:
    # Database work runs in threads: a lock another process holds must not stop the loop.
    if await asyncio.to_thread(_stopped_receiving, engine, item):
        # STOP by text stops everything: record it as a withdrawal of consent.
        await asyncio.to_thread(withdraw_after_stop, engine, item.contact, now)
        report.suppressed += 1
        return
    if await asyncio.to_thread(count_sent_today, engine, item.contact_hash, now) >= daily_cap:
        report.capped += 1
        logger.warning("reminder to %s held back: daily cap", item.contact_hash[:12])
        return
    body = reminder_text(item.reminder)
    if not await asyncio.to_thread(_claim, engine, item, body, now):
        report.already_claimed += 1
        return
    key = _key(item)
    sender = senders.get(item.contact_kind)
    if sender is None:
        await asyncio.to_thread(_finish, engine, key, DELIVERY_FAILED, "no sender for contact")
        report.failed += 1
        return
    try:
        result = await deliver(
            sender, item.contact_kind, item.contact, body, key, item.unsubscribe_token
        )
    except Exception as error:  # recorded, not lost: the row shows the failure
        logger.exception("reminder %s failed", key)
        await asyncio.to_thread(_finish, engine, key, DELIVERY_FAILED, f"{error}")
        report.failed += 1
        report.errors.append(key)
        return
    status = getattr(result, "status", DELIVERY_SENT)
    final = {"sent": DELIVERY_SENT, "suppressed": DELIVERY_SUPPRESSED}.get(status, DELIVERY_FAILED)
    await asyncio.to_thread(_finish, engine, key, final, getattr(result, "last_error", None))
    if final == DELIVERY_SENT:
        report.sent += 1
    elif final == DELIVERY_SUPPRESSED:
        report.suppressed += 1
    else:
        report.failed += 1


async def run_due(
    engine: Engine,
    senders: Mapping[str, TextSender],
    now: datetime,
    *,
    send_time: time = DEFAULT_SEND_TIME,
    daily_cap: int = 3,
    sends_per_second: float = 0.0,
) -> RunReport:
    """Send every reminder due at `now` that has not been sent; safe to run at any time,
    as often as wanted and from several processes at once.

    `senders` maps a contact kind ("sms", "email") to its sender; `sends_per_second`
    (0 = no limit) paces the sends to stay under the provider's rate limit.
    """
    report = RunReport()
    due = await asyncio.to_thread(_due, engine, now, send_time)
    pace = Pace(sends_per_second)
    for item in due:
        before = report.sent + report.failed
        await _send_one(engine, senders, item, now, daily_cap, report)
        if report.sent + report.failed > before:
            await pace.wait()
    return report
