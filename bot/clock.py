"""The one clock: timezone-aware, Europe/London. Tests pass their own times in."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def now() -> datetime:
    """The current time in London."""
    return datetime.now(LONDON)


def today() -> date:
    """Today's date in London."""
    return now().date()


def uk_date(day: date) -> str:
    """A date as residents read it: 'Thursday 4 December'."""
    return f"{day:%A} {day.day} {day:%B}"
