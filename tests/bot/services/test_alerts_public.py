"""The public side of service alerts (the widget's banner): every live alert, where it applies
in plain English, and nothing about who published it."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from bot.clock import LONDON
from bot.db.session import session_scope
from bot.services.alerts import (
    create_alert,
    live_public_alerts,
    parse_areas,
    round_description,
)

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=LONDON)


def _publish(
    engine: Engine,
    areas: str,
    message: str,
    *,
    topics: tuple[str, ...] = ("bins",),
    starts: timedelta = timedelta(hours=-1),
    lasts: timedelta = timedelta(hours=6),
) -> int:
    with session_scope(engine) as session:
        return create_alert(
            session,
            message=message,
            areas=parse_areas(session, areas),
            topics=topics,
            starts_at=NOW + starts,
            ends_at=NOW + starts + lasts,
            created_by="sue.supervisor",
            now=NOW + starts,
        ).id


def test_live_alerts_say_where_they_apply_in_plain_english(loaded_engine: Engine) -> None:
    council = _publish(
        loaded_engine,
        "council",
        "Offices closed today.",
        topics=("general",),
        starts=timedelta(hours=-2),
    )
    areas = _publish(loaded_engine, "OB1 2, round:mon-a, OB3", "Snow: rounds suspended.")
    with session_scope(loaded_engine) as session:
        live = live_public_alerts(session, None, NOW)
    assert [(a.id, a.whole_council, a.places) for a in live] == [
        (areas, False, ("OB1 2 postcodes", "Monday round A", "OB3 postcodes")),
        (council, True, ()),
    ]
    assert live[1].message == "Offices closed today." and live[1].topics == ("general",)


def test_alerts_not_yet_started_or_already_ended_are_not_shown(loaded_engine: Engine) -> None:
    _publish(loaded_engine, "council", "Later today.", starts=timedelta(hours=2))
    _publish(loaded_engine, "council", "Yesterday.", starts=timedelta(hours=-30))
    live = _publish(loaded_engine, "council", "Now.")
    with session_scope(loaded_engine) as session:
        assert [a.id for a in live_public_alerts(session, None, NOW)] == [live]
        assert live_public_alerts(session, None, NOW + timedelta(hours=8, minutes=1)) == []


def test_a_topic_keeps_only_the_alerts_that_touch_it_and_the_limit_bounds_the_list(
    loaded_engine: Engine,
) -> None:
    roads = _publish(loaded_engine, "OB2", "Road closed.", topics=("roads",))
    bins = [
        _publish(loaded_engine, "council", f"Bins {n}.", starts=timedelta(minutes=-n))
        for n in range(1, 4)
    ]
    with session_scope(loaded_engine) as session:
        assert [a.id for a in live_public_alerts(session, "roads", NOW)] == [roads]
        assert [a.id for a in live_public_alerts(session, "bins", NOW, limit=2)] == bins[:2]
        assert live_public_alerts(session, "housing", NOW) == []


def test_the_public_copy_never_carries_who_published_the_alert(loaded_engine: Engine) -> None:
    _publish(loaded_engine, "round:TUE-B", "Crew shortage.")
    with session_scope(loaded_engine) as session:
        (alert,) = live_public_alerts(session, None, NOW)
    fields = {f.name for f in dataclasses.fields(alert)}
    assert "created_by" not in fields
    assert "sue.supervisor" not in repr(alert)
    assert alert.places == ("Tuesday round B",)


@pytest.mark.parametrize(
    ("code", "name", "expected"),
    [
        ("MON-A", None, "Monday round A"),
        ("FRI-B", "", "Friday round B"),
        ("GARDEN1", None, "collection round GARDEN1"),
        ("MON-A", "Riverside round", "Riverside round"),
    ],
)
def test_a_round_is_described_by_its_name_or_its_day(
    code: str, name: str | None, expected: str
) -> None:
    assert round_description(code, name) == expected
