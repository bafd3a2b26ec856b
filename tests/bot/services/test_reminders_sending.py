"""run_due: each reminder sent once, in its window, never after STOP or withdrawal,
never twice with two schedulers racing or after a crash mid-run (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from bot.clients.sms.outbox import OutboxProvider
from bot.clients.sms.sender import SmsSender
from bot.clock import LONDON
from bot.db import sms as sms_store
from bot.db.notifications import NotificationConsent, ReminderDelivery
from bot.db.session import session_scope
from bot.privacy import hash_identifier
from bot.services.notification_delivery import RunReport
from bot.services.notification_subscriptions import subscribe, subscriptions_for, withdraw_all
from bot.services.reminders import run_due

ABBEY = [f"1000900000{n:02d}" for n in range(1, 11)]  # MON-A: collection Monday 30 November
EVENING = datetime(2026, 11, 29, 18, 0, tzinfo=LONDON)
NUMBERS = [f"+4477009001{n:02d}" for n in range(len(ABBEY))]


def _subscribe(engine: Engine, number: str, uprn: str) -> int:
    with session_scope(engine) as session:
        return subscribe(
            session, contact_kind="sms", contact=number, uprn=uprn, channel="sms",
            wording="A text the evening before bin day.", now=EVENING - timedelta(days=3),
        ).id  # fmt: skip


def _senders(engine: Engine) -> dict[str, Any]:
    return {"sms": SmsSender(engine, OutboxProvider(), hash_identifier, base_delay_seconds=0.01)}


async def _run(engine: Engine, now: datetime, **options: Any) -> RunReport:
    return await run_due(engine, _senders(engine), now, **options)


def _outbox(engine: Engine) -> list[sms_store.OutboundText]:
    return [
        text
        for number in NUMBERS
        for text in sms_store.outbound_for(engine, hash_identifier(number))
    ]


def _recipients(engine: Engine) -> list[str]:
    """The number of each text in the outbox (sent texts keep only its hash)."""
    return [
        number
        for number in NUMBERS
        for _ in sms_store.outbound_for(engine, hash_identifier(number))
    ]


async def test_the_reminder_goes_once_the_evening_before(loaded_engine: Engine) -> None:
    _subscribe(loaded_engine, NUMBERS[0], ABBEY[0])
    assert (await _run(loaded_engine, EVENING - timedelta(minutes=1))).sent == 0
    assert (await _run(loaded_engine, EVENING)).sent == 1
    assert (await _run(loaded_engine, EVENING + timedelta(hours=1))).sent == 0
    texts = _outbox(loaded_engine)
    assert len(texts) == 1 and texts[0].status == "sent"
    assert "Monday 30 November" in texts[0].body and "green wheelie bin" in texts[0].body


async def test_a_missed_run_catches_up_that_evening_but_not_on_collection_day(
    loaded_engine: Engine,
) -> None:
    _subscribe(loaded_engine, NUMBERS[0], ABBEY[0])
    _subscribe(loaded_engine, NUMBERS[1], ABBEY[1])
    collection_morning = datetime(2026, 11, 30, 0, 5, tzinfo=LONDON)
    assert (await _run(loaded_engine, collection_morning)).sent == 0
    assert (await _run(loaded_engine, EVENING + timedelta(hours=5, minutes=50))).sent == 2


async def test_opted_out_and_withdrawn_contacts_get_nothing(loaded_engine: Engine) -> None:
    for number, uprn in zip(NUMBERS[:3], ABBEY[:3], strict=True):
        _subscribe(loaded_engine, number, uprn)
    sms_store.set_opted_out(loaded_engine, hash_identifier(NUMBERS[0]), True)
    with session_scope(loaded_engine) as session:
        assert withdraw_all(session, NUMBERS[1], "conversation", EVENING) == 1
    report = await _run(loaded_engine, EVENING)
    assert (report.sent, report.suppressed) == (1, 1)
    assert _recipients(loaded_engine) == [NUMBERS[2]]
    with session_scope(loaded_engine) as session:
        how = session.scalars(
            select(NotificationConsent.withdrawn_how).order_by(NotificationConsent.id)
        ).all()
        assert how == ["sms_stop", "conversation", None]  # consent kept, withdrawal recorded
        assert subscriptions_for(session, NUMBERS[0]) == []


async def test_no_more_than_the_daily_cap_reaches_one_contact(loaded_engine: Engine) -> None:
    for uprn in ABBEY[:3]:
        _subscribe(loaded_engine, NUMBERS[0], uprn)
    report = await _run(loaded_engine, EVENING, daily_cap=2)
    assert (report.sent, report.capped) == (2, 1)
    assert len(_outbox(loaded_engine)) == 2


def test_two_schedulers_racing_send_each_reminder_once(loaded_engine: Engine) -> None:
    for number, uprn in zip(NUMBERS, ABBEY, strict=True):
        _subscribe(loaded_engine, number, uprn)
    barrier = threading.Barrier(2)
    reports: list[RunReport] = []
    errors: list[BaseException] = []

    def scheduler() -> None:
        barrier.wait()
        try:
            reports.append(asyncio.run(_run(loaded_engine, EVENING)))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(report.sent for report in reports) == len(ABBEY)
    assert sum(report.already_claimed for report in reports) == len(ABBEY)
    texts = _outbox(loaded_engine)
    assert len(texts) == len(ABBEY)
    assert sorted(_recipients(loaded_engine)) == sorted(NUMBERS)


class PowerCut(BaseException):
    """The process dying mid-run (not an error the run could catch)."""


class CrashingSender:
    """Hands the first `survive` texts to the real sender, then dies after handing one more."""

    def __init__(self, real: SmsSender, survive: int) -> None:
        self.real, self.left = real, survive

    async def send(self, to: str, body: str, idempotency_key: str) -> Any:
        result = await self.real.send(to, body, idempotency_key)
        if self.left == 0:
            raise PowerCut()
        self.left -= 1
        return result


async def test_a_run_that_crashed_mid_send_is_finished_later_without_double_sending(
    loaded_engine: Engine,
) -> None:
    for number, uprn in zip(NUMBERS[:4], ABBEY[:4], strict=True):
        _subscribe(loaded_engine, number, uprn)
    crashing = CrashingSender(_senders(loaded_engine)["sms"], survive=1)
    with pytest.raises(PowerCut):
        await run_due(loaded_engine, {"sms": crashing}, EVENING)
    assert len(_outbox(loaded_engine)) == 2
    # Straight after: the crashed run's claim may still be live, so it is left alone.
    soon = await _run(loaded_engine, EVENING + timedelta(minutes=1))
    assert (soon.sent, soon.already_claimed) == (2, 2)
    later = await _run(loaded_engine, EVENING + timedelta(minutes=30))
    assert later.sent == 1  # the claim left by the crash, re-sent under the same key
    texts = _outbox(loaded_engine)
    assert len(texts) == 4 and len(set(_recipients(loaded_engine))) == 4
    with session_scope(loaded_engine) as session:
        statuses = session.scalars(select(ReminderDelivery.status)).all()
        assert statuses == ["sent"] * 4
        assert session.scalar(select(func.count()).select_from(ReminderDelivery)) == 4


async def test_sends_are_paced_under_the_provider_rate_limit(loaded_engine: Engine) -> None:
    for number, uprn in zip(NUMBERS[:3], ABBEY[:3], strict=True):
        _subscribe(loaded_engine, number, uprn)
    started = time.monotonic()
    report = await _run(loaded_engine, EVENING, sends_per_second=5)
    assert report.sent == 3 and time.monotonic() - started >= 0.55
