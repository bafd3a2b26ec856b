"""What reminders and alerts share when they go out: the sender interface, the run report,
the per-contact daily count, pacing under the provider's rate limit, and handing one
message to its sender (an email always with its one-click unsubscribe link)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.clock import LONDON
from bot.db.notifications import (
    CONTACT_EMAIL,
    DELIVERY_CLAIMED,
    DELIVERY_SENT,
    AlertDelivery,
    ReminderDelivery,
)
from bot.db.session import session_scope
from bot.services.notification_subscriptions import unsubscribe_url, withdraw_all


class TextSender(Protocol):
    """Anything that sends one message under an idempotency key (SmsSender, the email sender)."""

    async def send(self, to: str, body: str, idempotency_key: str) -> Any:
        """Send `body` to `to`; the result has a `status` ("sent", "suppressed", "failed"...)."""


@dataclass
class RunReport:
    """What one `run_due` did."""

    sent: int = 0
    already_claimed: int = 0
    suppressed: int = 0
    capped: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def _london_midnight(now: datetime) -> datetime:
    local = now.astimezone(LONDON)
    return datetime.combine(local.date(), time(0, 0), tzinfo=LONDON)


def sent_today(session: Session, contact_hash: str, now: datetime) -> int:
    """How many reminders and alerts the contact has been sent (or is being sent) today."""
    since = _london_midnight(now)
    counted = (DELIVERY_CLAIMED, DELIVERY_SENT)
    total = 0
    for model in (ReminderDelivery, AlertDelivery):
        total += (
            session.scalar(
                select(func.count())
                .select_from(model)
                .where(model.contact_hash == contact_hash)
                .where(model.claimed_at >= since)
                .where(model.status.in_(counted))
            )
            or 0
        )
    return total


def count_sent_today(engine: Engine, contact_hash: str, now: datetime) -> int:
    """`sent_today` in a session of its own (reminders and alerts call it in a thread)."""
    with session_scope(engine) as session:
        return int(sent_today(session, contact_hash, now))


def withdraw_after_stop(engine: Engine, contact: str, now: datetime) -> None:
    """Withdraw every subscription of a contact the provider says has texted STOP."""
    with session_scope(engine) as session:
        withdraw_all(session, contact, "sms_stop", now)


async def deliver(
    sender: TextSender, kind: str, contact: str, body: str, key: str, unsubscribe_token: str
) -> Any:
    """Hand one message to its sender; every email carries its one-click unsubscribe link."""
    if kind == CONTACT_EMAIL:
        return await sender.send(
            contact,
            body,
            key,  # type: ignore[call-arg]
            unsubscribe_url=unsubscribe_url(unsubscribe_token),
        )
    return await sender.send(contact, body, key)


class Pace:
    """Spaces sends at most `per_second` apart (0 or less: no spacing)."""

    def __init__(self, per_second: float) -> None:
        self._gap = 1.0 / per_second if per_second > 0 else 0.0

    async def wait(self) -> None:
        if self._gap:
            await asyncio.sleep(self._gap)
