"""The reminder schedule against dates worked out by hand from the demo data.

MON-A: refuse fortnightly from Mon 5 Jan 2026 (so 23 Nov, 7 Dec, 21 Dec, 4 Jan),
recycling and garden from Mon 12 Jan (30 Nov, 14 Dec, 28 Dec -> Tue 29 Dec, 11 Jan),
food weekly; garden has no collections 1 Dec to 28 Feb.
FRI-A: refuse from Fri 9 Jan 2026 (25 Dec -> Sat 26 Dec, 8 Jan), recycling and
garden from 16 Jan (18 Dec, 1 Jan -> Sat 2 Jan, ..., 12 Mar, 26 Mar -> Sat 27 Mar).
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy.engine import Engine

from bot.clock import LONDON
from bot.db.session import session_scope
from bot.services.reminders import Reminder, reminder_schedule, reminder_text
from bot.services.sms_segments import count_segments

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

ABBEY_1 = "100090000001"  # MON-A, garden subscriber
ABBEY_2 = "100090000002"  # MON-A, no garden waste
HIGH_6 = "100090000269"  # FRI-A, garden subscriber

BLACK, BLUE, FOOD, GREEN = (
    "black wheelie bin", "blue wheelie bin", "food waste caddy", "green wheelie bin",
)  # fmt: skip


def _schedule(engine: Engine, uprn: str, start: date, end: date) -> list[Reminder]:
    with session_scope(engine) as session:
        return reminder_schedule(session, uprn, start, end)


def _as_rows(reminders: list[Reminder]) -> list[tuple[date, datetime, set[str], set]]:
    return [
        (r.collection_date, r.send_at, set(r.containers),
         {c.moved_from for c in r.collections if c.moved_from})
        for r in reminders
    ]  # fmt: skip


def _evening(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 18, 0, tzinfo=LONDON)


def test_monday_garden_subscriber_across_christmas(loaded_engine: Engine) -> None:
    rows = _as_rows(_schedule(loaded_engine, ABBEY_1, date(2026, 11, 24), date(2027, 1, 12)))
    assert rows == [
        (date(2026, 11, 30), _evening(2026, 11, 29), {BLUE, FOOD, GREEN}, set()),
        (date(2026, 12, 7), _evening(2026, 12, 6), {BLACK, FOOD}, set()),
        (date(2026, 12, 14), _evening(2026, 12, 13), {BLUE, FOOD}, set()),
        (date(2026, 12, 21), _evening(2026, 12, 20), {BLACK, FOOD}, set()),
        (date(2026, 12, 29), _evening(2026, 12, 28), {BLUE, FOOD}, {date(2026, 12, 28)}),
        (date(2027, 1, 4), _evening(2027, 1, 3), {BLACK, FOOD}, set()),
        (date(2027, 1, 11), _evening(2027, 1, 10), {BLUE, FOOD}, set()),
    ]


def test_an_address_without_garden_waste_is_not_reminded_about_the_green_bin(
    loaded_engine: Engine,
) -> None:
    rows = _as_rows(_schedule(loaded_engine, ABBEY_2, date(2026, 11, 24), date(2026, 11, 30)))
    assert rows == [(date(2026, 11, 30), _evening(2026, 11, 29), {BLUE, FOOD}, set())]


def test_friday_round_moves_to_saturdays_over_christmas_and_new_year(
    loaded_engine: Engine,
) -> None:
    rows = _as_rows(_schedule(loaded_engine, HIGH_6, date(2026, 12, 15), date(2027, 1, 9)))
    assert rows == [
        (date(2026, 12, 18), _evening(2026, 12, 17), {BLUE, FOOD}, set()),
        (date(2026, 12, 26), _evening(2026, 12, 25), {BLACK, FOOD}, {date(2026, 12, 25)}),
        (date(2027, 1, 2), _evening(2027, 1, 1), {BLUE, FOOD}, {date(2027, 1, 1)}),
        (date(2027, 1, 8), _evening(2027, 1, 7), {BLACK, FOOD}, set()),
    ]


def test_garden_reminders_start_again_in_march_and_follow_good_friday(
    loaded_engine: Engine,
) -> None:
    rows = _as_rows(_schedule(loaded_engine, HIGH_6, date(2027, 2, 20), date(2027, 3, 31)))
    assert rows == [
        (date(2027, 2, 26), _evening(2027, 2, 25), {BLUE, FOOD}, set()),
        (date(2027, 3, 5), _evening(2027, 3, 4), {BLACK, FOOD}, set()),
        (date(2027, 3, 12), _evening(2027, 3, 11), {BLUE, FOOD, GREEN}, set()),
        (date(2027, 3, 19), _evening(2027, 3, 18), {BLACK, FOOD}, set()),
        (date(2027, 3, 27), _evening(2027, 3, 26), {BLUE, FOOD, GREEN}, {date(2027, 3, 26)}),
    ]


def test_every_reminder_text_fits_one_text_and_names_its_bins(loaded_engine: Engine) -> None:
    reminders = _schedule(loaded_engine, ABBEY_1, date(2026, 11, 24), date(2027, 1, 12))
    reminders += _schedule(loaded_engine, HIGH_6, date(2027, 3, 20), date(2027, 3, 31))
    for reminder in reminders:
        text = reminder_text(reminder)
        assert count_segments(text).segments == 1, text
        for container in reminder.containers:
            assert container in text


def test_a_moved_collection_says_so(loaded_engine: Engine) -> None:
    christmas = _schedule(loaded_engine, HIGH_6, date(2026, 12, 26), date(2026, 12, 26))[0]
    text = reminder_text(christmas)
    assert "Saturday 26 December" in text and "Friday 25 December" in text


def test_an_unknown_address_has_no_reminders(loaded_engine: Engine) -> None:
    assert _schedule(loaded_engine, "999999999999", date(2026, 11, 24), date(2027, 1, 12)) == []
