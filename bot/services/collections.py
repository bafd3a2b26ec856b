"""Bin days: when each of an address's bins is next (or was last) collected.

A stream is collected every `interval_days` from its round's `first_collection`.
A collection due on a date in `collection_changes` happens on that change's
actual date instead (bank holidays). Garden waste goes only to subscribers and
stops for the winter break (1 December to the end of February).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import Address, CollectionChange, RoundStream

SUBSCRIPTION_STREAMS = ("garden",)
WINTER_BREAK_STREAMS = ("garden",)
WINTER_BREAK_MONTHS = (12, 1, 2)
# The loader refuses changes that move a collection further than this.
MAX_SHIFT = timedelta(days=31)
# Far enough ahead to span the garden winter break and a missed fortnight.
SEARCH_SPAN = timedelta(days=140)


# The field `Collection.date` hides the type inside the class body.
Day = date


@dataclass(frozen=True)
class Collection:
    """One collection of one bin; `moved_from` is the usual date when a holiday moved it;
    `after_break` is True when collections of this bin stopped for the winter break between
    the start of the search and this one (so the date is later than the resident expects)."""

    stream: str
    container: str
    date: Day
    moved_from: Day | None = None
    after_break: bool = False


def in_winter_break(day: date) -> bool:
    """True from 1 December to the end of February, when garden waste is not collected."""
    return day.month in WINTER_BREAK_MONTHS


def _streams(session: Session, uprn: str) -> list[RoundStream]:
    address = session.get(Address, uprn) if isinstance(uprn, str) and len(uprn) <= 12 else None
    if address is None:
        return []
    rows = session.scalars(
        select(RoundStream)
        .where(RoundStream.round_code == address.round_code)
        .order_by(RoundStream.stream)
    )
    return [row for row in rows if address.garden_waste or row.stream not in SUBSCRIPTION_STREAMS]


def bins_for_address(session: Session, uprn: str) -> dict[str, str]:
    """The streams this address gets, mapped to their containers ('refuse' -> 'black wheelie bin').

    Empty for an unknown UPRN. Garden waste appears only for subscribers.
    """
    return {row.stream: row.container for row in _streams(session, uprn)}


def _changes(session: Session, start: date, end: date) -> dict[date, date]:
    rows = session.execute(
        select(CollectionChange.normal_date, CollectionChange.actual_date).where(
            CollectionChange.normal_date.between(start - MAX_SHIFT, end + MAX_SHIFT)
        )
    )
    return {normal: actual for normal, actual in rows}


def collections_between(
    stream: RoundStream, changes: dict[date, date], start: date, end: date
) -> list[Collection]:
    """The collections of `stream` that actually happen from `start` to `end` inclusive."""
    step = stream.interval_days
    lowest = start - MAX_SHIFT
    skipped = max(0, -(-(lowest - stream.first_collection).days // step))
    normal = stream.first_collection + timedelta(days=skipped * step)
    found: list[Collection] = []
    skipped = False  # a collection from `start` on did not happen: the winter break
    while normal <= end + MAX_SHIFT:
        if stream.stream in WINTER_BREAK_STREAMS and in_winter_break(normal):
            skipped = skipped or normal >= start
        else:
            actual = changes.get(normal, normal)
            if start <= actual <= end:
                moved = normal if actual != normal else None
                found.append(Collection(stream.stream, stream.container, actual, moved, skipped))
                skipped = False
        normal += timedelta(days=step)
    return sorted(found, key=lambda c: c.date)


def next_collections(session: Session, uprn: str, on: date) -> list[Collection]:
    """The next collection on or after `on` of each bin the address gets, soonest first.

    Empty for an unknown UPRN.
    """
    end = on + SEARCH_SPAN
    changes = _changes(session, on, end)
    result = []
    for stream in _streams(session, uprn):
        upcoming = collections_between(stream, changes, on, end)
        if upcoming:
            result.append(upcoming[0])
    return sorted(result, key=lambda c: (c.date, c.stream))


def last_collection(session: Session, uprn: str, stream: str, on: date) -> date | None:
    """The most recent collection of `stream` at the address on or before `on`, or None
    (unknown address, a bin it does not get, or none yet)."""
    start = on - SEARCH_SPAN
    changes = _changes(session, start, on)
    for row in _streams(session, uprn):
        if row.stream == stream:
            past = collections_between(row, changes, start, on)
            return past[-1].date if past else None
    return None
