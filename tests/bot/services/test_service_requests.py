"""Missed-bin rules, against hand-worked dates.

ABBEY_2 (MON-A) has refuse on Mon 23 Nov 2026. HIGH_STREET_2 (FRI-A) has refuse on
Fri 27 Nov and on Christmas Day, moved to Sat 26 Dec. KINGFISHER_1 (THU-A) has refuse
on Thu 24 Dec; the working days after it are Tue 29 and Wed 30 Dec (25 and 28 are
bank holidays).
"""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy.engine import Engine

from bot.clock import LONDON
from bot.db.session import session_scope
from bot.services.case_system import NewRequest
from bot.services.local_cases import LocalCaseSystem
from bot.services.service_requests import (
    MissedBinCheck,
    UnknownRequest,
    check_missed_bin,
    record_status_change,
    working_days_after,
)

BANK_HOLIDAYS = [date(2026, 12, 25), date(2026, 12, 28), date(2027, 1, 1)]
ABBEY_2 = "100090000002"
HIGH_STREET_2 = "100090000265"
KINGFISHER_1 = "100090000196"


def _check(engine: Engine, uprn: str, stream: str, when: datetime) -> MissedBinCheck:
    with session_scope(engine) as session:
        return check_missed_bin(session, uprn, stream, when, BANK_HOLIDAYS)


def _london(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LONDON)


def test_cannot_report_on_the_collection_day_itself(loaded_engine: Engine) -> None:
    result = _check(loaded_engine, ABBEY_2, "refuse", _london(2026, 11, 23, 16, 0))
    assert (result.allowed, result.reason) == (False, "before_collection")
    assert result.collection_date == date(2026, 11, 23)


def test_can_report_the_day_after_and_within_two_working_days(loaded_engine: Engine) -> None:
    for day in (24, 25):
        result = _check(loaded_engine, ABBEY_2, "refuse", _london(2026, 11, day, 23, 59))
        assert (result.allowed, result.reason) == (True, "ok")
        assert result.collection_date == date(2026, 11, 23)
        assert result.report_by == date(2026, 11, 25)


def test_too_late_after_two_working_days(loaded_engine: Engine) -> None:
    result = _check(loaded_engine, ABBEY_2, "refuse", _london(2026, 11, 26, 0, 1))
    assert (result.allowed, result.reason) == (False, "too_late")
    assert result.collection_date == date(2026, 11, 23)


def test_the_time_is_read_in_london(loaded_engine: Engine) -> None:
    # 23:30 UTC on Wed 25 Nov is still Wednesday in London (GMT): allowed.
    late = datetime(2026, 11, 25, 23, 30, tzinfo=timezone.utc)
    assert _check(loaded_engine, ABBEY_2, "refuse", late).allowed


def test_a_weekend_does_not_use_up_working_days(loaded_engine: Engine) -> None:
    assert _check(loaded_engine, HIGH_STREET_2, "refuse", _london(2026, 11, 28, 10)).allowed
    tuesday = _check(loaded_engine, HIGH_STREET_2, "refuse", _london(2026, 12, 1, 10))
    assert tuesday.allowed and tuesday.report_by == date(2026, 12, 1)
    assert _check(loaded_engine, HIGH_STREET_2, "refuse", _london(2026, 12, 2, 10)).reason == (
        "too_late"
    )


def test_bank_holidays_do_not_use_up_working_days(loaded_engine: Engine) -> None:
    wednesday = _check(loaded_engine, KINGFISHER_1, "refuse", _london(2026, 12, 30, 17))
    assert wednesday.allowed and wednesday.collection_date == date(2026, 12, 24)
    assert wednesday.report_by == date(2026, 12, 30)
    assert _check(loaded_engine, KINGFISHER_1, "refuse", _london(2026, 12, 31, 9)).reason == (
        "too_late"
    )


def test_a_moved_collection_counts_from_the_day_it_actually_happens(
    loaded_engine: Engine,
) -> None:
    saturday = _check(loaded_engine, HIGH_STREET_2, "refuse", _london(2026, 12, 26, 12))
    assert saturday.reason == "before_collection"
    sunday = _check(loaded_engine, HIGH_STREET_2, "refuse", _london(2026, 12, 27, 12))
    assert sunday.allowed and sunday.collection_date == date(2026, 12, 26)
    assert sunday.report_by == date(2026, 12, 30)


def test_a_bin_the_address_does_not_get_cannot_be_reported(loaded_engine: Engine) -> None:
    when = _london(2026, 11, 24, 10)
    assert _check(loaded_engine, ABBEY_2, "garden", when).reason == "no_such_bin"
    assert _check(loaded_engine, ABBEY_2, "glass", when).reason == "no_such_bin"
    assert _check(loaded_engine, "999999999999", "refuse", when).reason == "no_such_bin"


def test_an_open_report_for_the_same_bin_is_a_duplicate_until_closed(
    loaded_engine: Engine,
) -> None:
    when = _london(2026, 11, 24, 10)
    cases = LocalCaseSystem(loaded_engine, now=lambda: when)
    created = cases.create(
        NewRequest(
            category="missed_bin",
            description="",
            location=("2 Abbey Road"),
            postcode="OB1 1AA",
            uprn=ABBEY_2,
            bin_stream="refuse",
        )
    )
    duplicate = _check(loaded_engine, ABBEY_2, "refuse", when)
    assert (duplicate.allowed, duplicate.reason) == (False, "duplicate")
    assert duplicate.existing_reference == created.reference
    assert _check(loaded_engine, ABBEY_2, "food", _london(2026, 11, 24, 10)).reason != "duplicate"
    with session_scope(loaded_engine) as session:
        record_status_change(
            session,
            created.reference,
            "completed",
            "We have collected your bin.",
            _london(2026, 11, 25, 9),
        )
    assert _check(loaded_engine, ABBEY_2, "refuse", _london(2026, 11, 25, 10)).allowed


def test_status_change_of_an_unknown_reference_is_refused(loaded_engine: Engine) -> None:
    with pytest.raises(UnknownRequest), session_scope(loaded_engine) as session:
        record_status_change(session, "MB-000000", "closed", "", _london(2026, 11, 25, 9))


def test_working_days_skip_weekends_and_bank_holidays() -> None:
    assert working_days_after(date(2026, 11, 27), 2, BANK_HOLIDAYS) == date(2026, 12, 1)
    assert working_days_after(date(2026, 12, 24), 1, BANK_HOLIDAYS) == date(2026, 12, 29)
    assert working_days_after(date(2026, 12, 31), 1, BANK_HOLIDAYS) == date(2027, 1, 4)
