"""Service alerts: areas as staff write them, who receives one (exactly the subscribers of
the area who agreed to alerts, once each), and which alerts are live for an address."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from bot.clients.sms.outbox import OutboxProvider
from bot.clients.sms.sender import SmsSender
from bot.clock import LONDON
from bot.db import sms as sms_store
from bot.db.session import session_scope
from bot.privacy import hash_identifier
from bot.services.alert_sending import send_alert
from bot.services.alerts import (
    AlertError,
    active_alerts_for,
    count_recipients,
    create_alert,
    parse_areas,
)
from bot.services.notification_subscriptions import subscribe

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=LONDON)
# uprn -> (postcode, round): OB1 1AA MON-A, OB1 1AB MON-A, OB1 2FD MON-B, OB2 4HX TUE-A, OB5 FRI-A
HOMES = {
    "100090000001": "+447700900201", "100090000022": "+447700900202",
    "100090000050": "+447700900203", "100090000076": "+447700900204",
    "100090000269": "+447700900205",
}  # fmt: skip
REMINDERS_ONLY = ("100090000002", "+447700900209")


def _people(engine: Engine) -> None:
    with session_scope(engine) as session:
        for uprn, number in HOMES.items():
            subscribe(
                session,
                contact_kind="sms",
                contact=number,
                uprn=uprn,
                channel="sms",
                wording="Texts about bins.",
                now=NOW,
            )
        subscribe(
            session,
            contact_kind="sms",
            contact=REMINDERS_ONLY[1],
            uprn=REMINDERS_ONLY[0],
            channel="sms",
            wording="Bin-day texts only.",
            now=NOW,
            alerts=False,
        )


def _alert(engine: Engine, areas_text: str, topics: tuple[str, ...] = ("bins",)) -> int:
    with session_scope(engine) as session:
        areas = parse_areas(session, areas_text)
        return create_alert(
            session, message="Collections on your round are suspended today because of snow.",
            areas=areas, topics=topics, starts_at=NOW, ends_at=NOW + timedelta(hours=12),
            created_by="supervisor", now=NOW,
        ).id  # fmt: skip


def _received(engine: Engine) -> set[str]:
    numbers = [*HOMES.values(), REMINDERS_ONLY[1]]
    return {n for n in numbers if sms_store.outbound_for(engine, hash_identifier(n))}


def _senders(engine: Engine) -> dict[str, Any]:
    return {"sms": SmsSender(engine, OutboxProvider(), hash_identifier, base_delay_seconds=0.01)}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    ("areas", "expected"),
    [
        ("round:MON-A", {"+447700900201", "+447700900202"}),
        ("ob1 1", {"+447700900201", "+447700900202"}),
        ("OB1", {"+447700900201", "+447700900202", "+447700900203"}),
        ("OB2, round:fri-a", {"+447700900204", "+447700900205"}),
        ("council", set(HOMES.values())),
    ],
)
async def test_an_alert_reaches_exactly_the_subscribers_of_its_area(
    loaded_engine: Engine, areas: str, expected: set[str]
) -> None:
    _people(loaded_engine)
    alert_id = _alert(loaded_engine, areas)
    with session_scope(loaded_engine) as session:
        assert count_recipients(session, parse_areas(session, areas)) == len(expected)
    report = await send_alert(loaded_engine, _senders(loaded_engine), alert_id, NOW)
    assert report.sent == len(expected)
    assert _received(loaded_engine) == expected


async def test_sending_an_alert_twice_reaches_nobody_twice_and_stop_is_honoured(
    loaded_engine: Engine,
) -> None:
    _people(loaded_engine)
    sms_store.set_opted_out(loaded_engine, hash_identifier(HOMES["100090000022"]), True)
    alert_id = _alert(loaded_engine, "round:MON-A")
    first = await send_alert(loaded_engine, _senders(loaded_engine), alert_id, NOW)
    again = await send_alert(loaded_engine, _senders(loaded_engine), alert_id, NOW)
    assert (first.sent, first.suppressed, again.sent) == (1, 1, 0)
    texts = sms_store.outbound_for(loaded_engine, hash_identifier(HOMES["100090000001"]))
    assert len(texts) == 1 and "suspended today because of snow" in texts[0].body
    assert _received(loaded_engine) == {HOMES["100090000001"]}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_active_alerts_cover_the_address_topic_and_time(loaded_engine: Engine) -> None:
    _alert(loaded_engine, "round:MON-A")
    _alert(loaded_engine, "OB1", topics=("roads",))
    with session_scope(loaded_engine) as session:
        live = active_alerts_for(session, "100090000001", "bins", NOW + timedelta(hours=1))
        assert [a.areas for a in live] == [("round:MON-A",)]
        assert active_alerts_for(session, "100090000050", "bins", NOW) == []  # MON-B
        assert active_alerts_for(session, "100090000001", "bins", NOW + timedelta(hours=13)) == []
        assert active_alerts_for(session, "100090000001", "bins", NOW - timedelta(minutes=1)) == []
        assert len(active_alerts_for(session, "100090000050", "roads", NOW)) == 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("bad", ["", "round:NOPE", "Oakbridge high street", "OB1 2FD 9"])
def test_areas_staff_cannot_mean_are_refused(loaded_engine: Engine, bad: str) -> None:
    with session_scope(loaded_engine) as session, pytest.raises(AlertError):
        parse_areas(session, bad)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_alert_needs_words_topics_and_a_future_end(loaded_engine: Engine) -> None:
    with session_scope(loaded_engine) as session:
        for message, topics, end in [
            ("", ("bins",), NOW + timedelta(hours=1)),
            ("x" * 301, ("bins",), NOW + timedelta(hours=1)),
            ("Snow.", ("weather",), NOW + timedelta(hours=1)),
            ("Snow.", ("bins",), NOW - timedelta(hours=1)),
        ]:
            with pytest.raises(AlertError):
                create_alert(
                    session,
                    message=message,
                    areas=("council",),
                    topics=topics,
                    starts_at=NOW - timedelta(hours=2),
                    ends_at=end,
                    created_by="s",
                    now=NOW,
                )
