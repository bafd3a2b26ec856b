"""Bin days against dates worked out by hand from rounds.csv and collection_changes.csv.

MON-A: refuse fortnightly from Mon 5 Jan 2026, recycling and garden fortnightly
from Mon 12 Jan, food weekly. FRI-A: refuse from Fri 9 Jan, recycling from 16 Jan.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Engine

from bot.db.session import session_scope
from bot.services.collections import (
    Collection,
    bins_for_address,
    last_collection,
    next_collections,
)

ABBEY_1 = "100090000001"  # MON-A, garden subscriber
ABBEY_2 = "100090000002"  # MON-A, no garden waste
HIGH_STREET_2 = "100090000265"  # FRI-A, no garden waste


def _next(engine: Engine, uprn: str, on: date) -> dict[str, Collection]:
    with session_scope(engine) as session:
        return {c.stream: c for c in next_collections(session, uprn, on)}


def test_next_collection_of_each_bin_in_an_ordinary_week(loaded_engine: Engine) -> None:
    found = _next(loaded_engine, ABBEY_1, date(2026, 11, 24))
    assert {stream: c.date for stream, c in found.items()} == {
        "food": date(2026, 11, 30),
        "recycling": date(2026, 11, 30),
        "garden": date(2026, 11, 30),
        "refuse": date(2026, 12, 7),
    }
    assert found["refuse"].container == "black wheelie bin"
    assert all(c.moved_from is None for c in found.values())


def test_collections_are_listed_soonest_first(loaded_engine: Engine) -> None:
    with session_scope(loaded_engine) as session:
        dates = [c.date for c in next_collections(session, ABBEY_1, date(2026, 11, 24))]
    assert dates == sorted(dates)


def test_a_collection_on_the_day_itself_counts_as_next(loaded_engine: Engine) -> None:
    found = _next(loaded_engine, ABBEY_2, date(2026, 11, 30))
    assert found["food"].date == date(2026, 11, 30)


def test_christmas_day_collection_moves_to_boxing_day(loaded_engine: Engine) -> None:
    found = _next(loaded_engine, HIGH_STREET_2, date(2026, 12, 19))
    assert found["refuse"] == Collection(
        "refuse", "black wheelie bin", date(2026, 12, 26), moved_from=date(2026, 12, 25)
    )
    assert found["food"].date == date(2026, 12, 26)
    assert found["recycling"].date == date(2027, 1, 2)
    assert found["recycling"].moved_from == date(2027, 1, 1)


def test_new_year_food_collection_moves_to_saturday(loaded_engine: Engine) -> None:
    found = _next(loaded_engine, HIGH_STREET_2, date(2026, 12, 27))
    assert found["food"].date == date(2027, 1, 2)
    assert found["food"].moved_from == date(2027, 1, 1)


def test_boxing_day_substitute_moves_monday_to_tuesday(loaded_engine: Engine) -> None:
    found = _next(loaded_engine, ABBEY_2, date(2026, 12, 22))
    assert found["recycling"].date == date(2026, 12, 29)
    assert found["recycling"].moved_from == date(2026, 12, 28)
    assert found["food"].date == date(2026, 12, 29)
    assert found["refuse"].date == date(2027, 1, 4)


def test_garden_waste_pauses_from_december_to_february(loaded_engine: Engine) -> None:
    assert _next(loaded_engine, ABBEY_1, date(2026, 12, 1))["garden"].date == date(2027, 3, 8)
    assert _next(loaded_engine, ABBEY_1, date(2026, 11, 30))["garden"].date == date(2026, 11, 30)


def test_the_first_garden_collection_after_the_winter_break_says_it_follows_the_break(
    loaded_engine: Engine,
) -> None:
    assert _next(loaded_engine, ABBEY_1, date(2026, 12, 1))["garden"].after_break
    assert _next(loaded_engine, ABBEY_1, date(2027, 1, 20))["garden"].after_break
    assert not _next(loaded_engine, ABBEY_1, date(2026, 11, 30))["garden"].after_break
    # Once the break is over, the usual fortnight follows with no reason given.
    assert not _next(loaded_engine, ABBEY_1, date(2027, 3, 9))["garden"].after_break


def test_garden_waste_only_for_subscribers(loaded_engine: Engine) -> None:
    assert "garden" not in _next(loaded_engine, ABBEY_2, date(2026, 6, 1))
    assert "garden" in _next(loaded_engine, ABBEY_1, date(2026, 6, 1))
    with session_scope(loaded_engine) as session:
        assert set(bins_for_address(session, ABBEY_2)) == {"refuse", "recycling", "food"}
        assert bins_for_address(session, ABBEY_1)["garden"] == "green wheelie bin"


def test_unknown_address_has_no_collections(loaded_engine: Engine) -> None:
    assert _next(loaded_engine, "999999999999", date(2026, 11, 24)) == {}


def test_last_collection_on_or_before_a_day(loaded_engine: Engine) -> None:
    with session_scope(loaded_engine) as session:
        assert last_collection(session, ABBEY_1, "refuse", date(2026, 11, 24)) == date(2026, 11, 23)
        assert last_collection(session, ABBEY_1, "recycling", date(2026, 11, 24)) == date(
            2026, 11, 16
        )
        assert last_collection(session, ABBEY_1, "food", date(2026, 11, 30)) == date(2026, 11, 30)
        # Christmas Day's collection happened on Boxing Day.
        assert last_collection(session, HIGH_STREET_2, "refuse", date(2026, 12, 25)) == date(
            2026, 12, 11
        )
        assert last_collection(session, HIGH_STREET_2, "refuse", date(2026, 12, 26)) == date(
            2026, 12, 26
        )
        assert last_collection(session, ABBEY_1, "garden", date(2027, 2, 1)) == date(2026, 11, 30)
        assert last_collection(session, ABBEY_2, "garden", date(2026, 11, 24)) is None
        assert last_collection(session, ABBEY_1, "refuse", date(2025, 12, 1)) is None
