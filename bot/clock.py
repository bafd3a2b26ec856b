"""The one clock: timezone-aware, Europe/London.

Code asks `now()` or `today()` here, never `datetime.now()`, so that a test or a demo
can stand the clock at a chosen time with ASSISTANT_FIXED_NOW (an ISO time).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.settings import get_settings

LONDON = ZoneInfo("Europe/London")


def now() -> datetime:
    """The current time in London (or the fixed time the settings give)."""
    fixed = get_settings().fixed_now
    if fixed:
        moment = datetime.fromisoformat(fixed)
        return moment.replace(tzinfo=LONDON) if moment.tzinfo is None else moment.astimezone(LONDON)
    return datetime.now(LONDON)


def today() -> date:
    """Today's date in London."""
    return now().date()


def uk_date(day: date) -> str:
    """A date as residents read it: 'Thursday 4 December'."""
    return f"{day:%A} {day.day} {day:%B}"
