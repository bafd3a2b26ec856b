"""When staff are available: the council's opening hours, closed on bank holidays.

Hours come from council.yml `opening_hours` (e.g. `monday: "09:00-17:00"`, `saturday: closed`)
and `bank_holidays`. Times are read in Europe/London.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.clock import LONDON
from bot.council import Council

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class OpeningHoursError(ValueError):
    """The council file's opening hours cannot be read."""


@dataclass(frozen=True)
class Opening:
    """One day's opening: from `opens` until `closes`."""

    opens: time
    closes: time


def _parse_day(day: str, value: object) -> Opening | None:
    text = str(value).strip().lower()
    if text in ("closed", "", "none"):
        return None
    try:
        start, end = (part.strip() for part in text.split("-"))
        opening = Opening(time.fromisoformat(start), time.fromisoformat(end))
    except ValueError:
        raise OpeningHoursError(f"opening hours for {day} must look like 09:00-17:00") from None
    if opening.closes <= opening.opens:
        raise OpeningHoursError(f"opening hours for {day} close before they open")
    return opening


def weekly_hours(council: Council) -> dict[str, Opening | None]:
    """Each weekday's opening (None when closed); days left out of the file are closed."""
    raw = council.facts.get("opening_hours") or {}
    if not isinstance(raw, dict):
        raise OpeningHoursError("opening_hours must map days to hours")
    return {day: _parse_day(day, raw.get(day, "closed")) for day in DAYS}


def opening_on(council: Council, day: date) -> Opening | None:
    """The opening for a date, or None when closed (weekend, bank holiday)."""
    if day in council.bank_holidays:
        return None
    return weekly_hours(council)[DAYS[day.weekday()]]


def staff_available(council: Council, now: datetime) -> bool:
    """True when `now` (timezone-aware) falls within today's opening hours."""
    local = now.astimezone(LONDON)
    opening = opening_on(council, local.date())
    return opening is not None and opening.opens <= local.time() < opening.closes


def next_opening(council: Council, now: datetime, horizon_days: int = 14) -> datetime | None:
    """When staff are next available after `now` (`now` itself if open), or None if not soon."""
    local = now.astimezone(LONDON)
    if staff_available(council, local):
        return local
    for offset in range(horizon_days + 1):
        day = local.date() + timedelta(days=offset)
        opening = opening_on(council, day)
        if opening is None:
            continue
        start = datetime.combine(day, opening.opens, tzinfo=LONDON)
        if start > local:
            return start
    return None
