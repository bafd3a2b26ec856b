from datetime import date, datetime

import pytest

from bot.clock import LONDON
from bot.council import parse_council
from bot.services.opening_hours import (
    OpeningHoursError,
    next_opening,
    opening_on,
    staff_available,
)


def council(hours=None, holidays=()):
    return parse_council(
        {
            "name": "Test Council",
            "short_name": "Test",
            "website": "https://t.example",
            "phone": "01632 960000",
            "email": "a@t.example",
            "pages": {},
            "emergency": {},
            "opening_hours": hours
            or {
                "monday": "09:00-17:00",
                "tuesday": "09:00-17:00",
                "wednesday": "09:00-17:00",
                "thursday": "09:00-17:00",
                "friday": "09:00-16:30",
                "saturday": "closed",
                "sunday": "closed",
            },
            "bank_holidays": list(holidays),
        }
    )


def at(*args):
    return datetime(*args, tzinfo=LONDON)


def test_staff_are_available_during_weekday_opening_hours():
    assert staff_available(council(), at(2026, 11, 24, 9, 0))  # Tuesday
    assert staff_available(council(), at(2026, 11, 24, 16, 59))


def test_staff_are_not_available_before_opening_or_from_closing_time():
    assert not staff_available(council(), at(2026, 11, 24, 8, 59))
    assert not staff_available(council(), at(2026, 11, 24, 17, 0))
    assert not staff_available(council(), at(2026, 11, 27, 16, 45))  # Friday closes 16:30


def test_staff_are_not_available_at_weekends():
    assert not staff_available(council(), at(2026, 11, 28, 12, 0))


def test_staff_are_not_available_on_bank_holidays():
    assert not staff_available(council(holidays=[date(2026, 12, 28)]), at(2026, 12, 28, 12, 0))


def test_hours_are_read_in_london_time_whatever_zone_now_is_in():
    from datetime import timezone

    # 08:30 UTC in British Summer Time is 09:30 in London.
    assert staff_available(council(), datetime(2026, 7, 7, 8, 30, tzinfo=timezone.utc))


def test_next_opening_skips_weekend_and_bank_holiday():
    c = council(holidays=[date(2026, 12, 28)])
    # Saturday 26 December: Monday 28 is a bank holiday, so Tuesday 29 at 09:00.
    assert next_opening(c, at(2026, 12, 26, 10, 0)) == at(2026, 12, 29, 9, 0)


def test_next_opening_is_later_today_before_opening_time():
    assert next_opening(council(), at(2026, 11, 24, 7, 0)) == at(2026, 11, 24, 9, 0)


def test_the_demo_council_file_is_readable():
    from bot.council import get_council

    assert opening_on(get_council(), date(2026, 11, 24)) is not None
    assert opening_on(get_council(), date(2026, 12, 25)) is None


def test_malformed_hours_are_refused_with_a_clear_error():
    with pytest.raises(OpeningHoursError, match="monday"):
        opening_on(council(hours={"monday": "nine till five"}), date(2026, 11, 23))
