"""Sending a published alert once to each subscriber in its areas who agreed to alerts.

Same pattern as reminders: the key `alert:<alert id>:<subscription id>` is
committed (UNIQUE) before the message goes, so sending twice (a double click,
two servers) never reaches anyone twice; STOP and the daily cap are honoured.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import datetime, timezone

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.content import get_content
from bot.db import sms as sms_store
from bot.db.notifications import (
    CONTACT_SMS,
    DELIVERY_CLAIMED,
    DELIVERY_FAILED,
    DELIVERY_SENT,
    DELIVERY_SUPPRESSED,
    AlertDelivery,
)
from bot.db.session import session_scope
from bot.services.alerts import alert_recipients, get_alert
from bot.services.notification_delivery import (
    Pace,
    RunReport,
    TextSender,
    count_sent_today,
    deliver,
    withdraw_after_stop,
)

logger = logging.getLogger(__name__)


def alert_text(message: str) -> str:
    """The words of an alert as sent."""
    return get_content().text("alert_sms", message=message)


def _claim(
    engine: Engine, key: str, alert_id: int, sub_id: int, contact_hash: str, now: datetime
) -> bool:
    try:
        with session_scope(engine) as session:
            session.add(AlertDelivery(
                idempotency_key=key, alert_id=alert_id, subscription_id=sub_id,
                contact_hash=contact_hash, status=DELIVERY_CLAIMED,
                claimed_at=now.astimezone(timezone.utc),
            ))  # fmt: skip
        return True
    except IntegrityError:
        return False


def _finish(engine: Engine, key: str, status: str, error: str | None = None) -> None:
    with session_scope(engine) as session:
        session.execute(
            update(AlertDelivery)
            .where(AlertDelivery.idempotency_key == key)
            .values(
                status=status,
                finished_at=datetime.now(timezone.utc),
                last_error=error[:500] if error else None,
            )
        )


def _alert_and_recipients(
    engine: Engine, alert_id: int
) -> tuple[str, list[tuple[int, str, str, str, str]]]:
    with session_scope(engine) as session:
        alert = get_alert(session, alert_id)
        if alert is None:
            raise LookupError(f"no alert {alert_id}")
        return alert.message, [
            (s.id, s.contact_kind, s.contact, s.contact_hash, s.unsubscribe_token)
            for s in alert_recipients(session, alert.areas)
        ]


async def send_alert(
    engine: Engine,
    senders: Mapping[str, TextSender],
    alert_id: int,
    now: datetime,
    *,
    daily_cap: int = 3,
    sends_per_second: float = 0.0,
) -> RunReport:
    """Send alert `alert_id` to everyone in its areas who has not had it yet, paced at
    `sends_per_second` (0 = no limit)."""
    report = RunReport()
    pace = Pace(sends_per_second)
    # Database work runs in threads: a lock another process holds must not stop the loop.
    message, recipients = await asyncio.to_thread(_alert_and_recipients, engine, alert_id)
    body = alert_text(message)
    for sub_id, kind, contact, contact_hash, token in recipients:
        if kind == CONTACT_SMS and await asyncio.to_thread(
            sms_store.is_opted_out, engine, contact_hash
        ):
            await asyncio.to_thread(withdraw_after_stop, engine, contact, now)
            report.suppressed += 1
            continue
        if await asyncio.to_thread(count_sent_today, engine, contact_hash, now) >= daily_cap:
            report.capped += 1
            continue
        key = f"alert:{alert_id}:{sub_id}"
        if not await asyncio.to_thread(_claim, engine, key, alert_id, sub_id, contact_hash, now):
            report.already_claimed += 1
            continue
        sender = senders.get(kind)
        try:
            if sender is None:
                raise LookupError(f"no sender for {kind}")
            result = await deliver(sender, kind, contact, body, key, token)
        except Exception as error:  # recorded on the delivery row, not lost
            logger.exception("alert %s failed", key)
            await asyncio.to_thread(_finish, engine, key, DELIVERY_FAILED, str(error))
            report.failed += 1
            continue
        status = getattr(result, "status", "sent")
        final = {"sent": DELIVERY_SENT, "suppressed": DELIVERY_SUPPRESSED}.get(
            status, DELIVERY_FAILED
        )
        await asyncio.to_thread(_finish, engine, key, final, getattr(result, "last_error", None))
        await pace.wait()
        if final == DELIVERY_SENT:
            report.sent += 1
        elif final == DELIVERY_SUPPRESSED:
            report.suppressed += 1
        else:
            report.failed += 1
    return report
