"""Service request rules: when a missed bin may be reported, and status changes.

A missed bin can be reported from the day after its collection day until the
end of the second working day after it (weekends and the council's bank
holidays are not working days). An address and bin with an open report cannot
open another one: the resident is given the existing reference.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clock import LONDON
from bot.db.models import OPEN_STATUSES, STATUSES, ServiceRequest, StatusUpdateRecord
from bot.services.collections import bins_for_address, last_collection, next_collections

REPORT_WITHIN_WORKING_DAYS = 2
MAX_NOTE = 500


class UnknownRequest(LookupError):
    """No service request has that reference."""


@dataclass(frozen=True)
class MissedBinCheck:
    """Whether a missed bin may be reported now, and why not.

    `reason`: "ok", "before_collection" (the bin is not due yet or is due today),
    "too_late" (more than two working days since collection), "no_such_bin"
    (the address does not get that bin, or is unknown) or "duplicate" (an open
    report exists: `existing_reference`). `collection_date` is the collection
    concerned (the last one, or the next one when none has happened yet);
    `report_by` is the last day a report is accepted for it.
    """

    allowed: bool
    reason: str
    collection_date: date | None = None
    existing_reference: str | None = None
    report_by: date | None = None


def is_working_day(day: date, bank_holidays: Iterable[date]) -> bool:
    """Monday to Friday, and not one of the council's bank holidays."""
    return day.weekday() < 5 and day not in set(bank_holidays)


def working_days_after(day: date, count: int, bank_holidays: Iterable[date]) -> date:
    """The `count`th working day after `day` (count >= 1)."""
    holidays = set(bank_holidays)
    current, found = day, 0
    while found < count:
        current += timedelta(days=1)
        if is_working_day(current, holidays):
            found += 1
    return current


def open_missed_bin_reference(session: Session, uprn: str, stream: str) -> str | None:
    """The reference of the open missed-bin report for this address and bin, if there is one."""
    return session.scalar(
        select(ServiceRequest.reference).where(
            ServiceRequest.category == "missed_bin",
            ServiceRequest.uprn == uprn,
            ServiceRequest.bin_stream == stream,
            ServiceRequest.status.in_(OPEN_STATUSES),
        )
    )


def check_missed_bin(
    session: Session, uprn: str, stream: str, now: datetime, bank_holidays: Iterable[date]
) -> MissedBinCheck:
    """May the resident at `uprn` report their `stream` bin as missed at `now` (timezone-aware)?

    `bank_holidays` is the council's list (get_council().bank_holidays).
    """
    if now.tzinfo is None:
        raise ValueError("`now` must be timezone-aware")
    today = now.astimezone(LONDON).date()
    if stream not in bins_for_address(session, uprn):
        return MissedBinCheck(False, "no_such_bin")
    existing = open_missed_bin_reference(session, uprn, stream)
    if existing is not None:
        return MissedBinCheck(False, "duplicate", existing_reference=existing)
    last = last_collection(session, uprn, stream, today)
    if last is None or last == today:
        upcoming = [c.date for c in next_collections(session, uprn, today) if c.stream == stream]
        return MissedBinCheck(
            False, "before_collection", collection_date=upcoming[0] if upcoming else None
        )
    report_by = working_days_after(last, REPORT_WITHIN_WORKING_DAYS, bank_holidays)
    if today > report_by:
        return MissedBinCheck(False, "too_late", collection_date=last, report_by=report_by)
    return MissedBinCheck(True, "ok", collection_date=last, report_by=report_by)


def record_status_change(
    session: Session, reference: str, status: str, note: str, at: datetime
) -> None:
    """Move a request to `status` at `at` (timezone-aware), with a note the resident may read.

    Raises UnknownRequest for an unknown reference, ValueError for a bad status or note.
    """
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}")
    if len(note) > MAX_NOTE:
        raise ValueError(f"the note is longer than {MAX_NOTE} characters")
    if at.tzinfo is None:
        raise ValueError("`at` must be timezone-aware")
    request = session.scalar(select(ServiceRequest).where(ServiceRequest.reference == reference))
    if request is None:
        raise UnknownRequest(reference)
    request.status = status
    request.updated_at = at
    request.updates.append(StatusUpdateRecord(status=status, at=at, note=note))
    session.flush()
