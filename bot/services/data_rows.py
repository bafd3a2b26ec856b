"""Reading and checking a council's data files (CSV) before anything is stored.

Every row is validated; problems name the file and line so the council can fix
its export. Nothing here touches the database.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from bot.clock import LONDON
from bot.postcodes import normalise_postcode
from bot.references import CATEGORY_PREFIXES, normalise_reference

STATUSES = ("received", "in_progress", "scheduled", "completed", "closed")
FREQUENCIES = {"weekly": 7, "fortnightly": 14, "three-weekly": 21, "four-weekly": 28}
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}
MAX_PROBLEMS = 50
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_STREAM = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_UPRN = re.compile(r"^[0-9]{1,12}$")


class RowError(ValueError):
    """One field of one row is not acceptable; the message says which and why."""


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file} line {self.line}: {self.message}"


class DataFileError(ValueError):
    """The data files have problems; nothing was imported. `problems` lists them."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        shown = "\n".join(str(problem) for problem in problems)
        super().__init__(f"{len(problems)} problem(s) in the data files:\n{shown}")


@dataclass(frozen=True)
class RoundRow:
    round: str
    stream: str
    container: str
    frequency: str
    interval_days: int
    first_collection: date
    notes: str


@dataclass(frozen=True)
class AddressRow:
    uprn: str
    house: str
    street: str
    town: str
    postcode: str
    round: str
    garden_waste: bool


@dataclass(frozen=True)
class ChangeRow:
    normal_date: date
    actual_date: date
    reason: str


@dataclass(frozen=True)
class RequestRow:
    reference: str
    category: str
    status: str
    postcode: str
    location: str
    created: datetime


@dataclass(frozen=True)
class HistoryRow:
    reference: str
    status: str
    at: datetime
    note: str


def text_field(row: dict[str, Any], name: str, max_length: int, required: bool = True) -> str:
    """A trimmed text value; RowError when missing, too long or holding control characters."""
    value = (row.get(name) or "").strip()
    if required and not value:
        raise RowError(f"{name} is empty")
    if len(value) > max_length:
        raise RowError(f"{name} is longer than {max_length} characters")
    if _CONTROL.search(value):
        raise RowError(f"{name} contains control characters")
    return value


def date_field(row: dict[str, Any], name: str) -> date:
    value = text_field(row, name, 10)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise RowError(f"{name} {value!r} is not a date like 2026-12-25") from None


def datetime_field(row: dict[str, Any], name: str) -> datetime:
    """An ISO date and time; without a zone it is read as UK local time."""
    value = text_field(row, name, 32)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise RowError(f"{name} {value!r} is not a time like 2026-11-09T13:00") from None
    return moment.replace(tzinfo=LONDON) if moment.tzinfo is None else moment


def choice_field(row: dict[str, Any], name: str, choices: Any) -> str:
    value = text_field(row, name, 32).lower()
    if value not in choices:
        raise RowError(f"{name} {value!r} is not one of: {', '.join(choices)}")
    return value


def parse_round(row: dict[str, Any]) -> RoundRow:
    code = text_field(row, "round", 32)
    if not _CODE.match(code):
        raise RowError(f"round {code!r} may only hold letters, digits, '-' and '_'")
    stream = text_field(row, "stream", 32).lower()
    if not _STREAM.match(stream):
        raise RowError(f"stream {stream!r} must be a lower-case word such as 'refuse'")
    frequency = choice_field(row, "frequency", tuple(FREQUENCIES))
    return RoundRow(
        round=code,
        stream=stream,
        container=text_field(row, "container", 64),
        frequency=frequency,
        interval_days=FREQUENCIES[frequency],
        first_collection=date_field(row, "first_collection"),
        notes=text_field(row, "notes", 200, required=False),
    )


def parse_address(row: dict[str, Any]) -> AddressRow:
    uprn = text_field(row, "uprn", 12)
    if not _UPRN.match(uprn):
        raise RowError(f"uprn {uprn!r} must be up to 12 digits")
    raw_postcode = text_field(row, "postcode", 16)
    postcode = normalise_postcode(raw_postcode)
    if postcode is None:
        raise RowError(f"postcode {raw_postcode!r} is not a valid UK postcode")
    subscriber = text_field(row, "garden_waste_subscriber", 8, required=False).lower()
    if subscriber not in YES | NO:
        raise RowError(f"garden_waste_subscriber {subscriber!r} must be yes or no")
    return AddressRow(
        uprn=uprn,
        house=text_field(row, "house", 100),
        street=text_field(row, "street", 100),
        town=text_field(row, "town", 64),
        postcode=postcode,
        round=text_field(row, "round", 32),
        garden_waste=subscriber in YES,
    )


def parse_change(row: dict[str, Any]) -> ChangeRow:
    normal, actual = date_field(row, "normal_date"), date_field(row, "actual_date")
    if abs((actual - normal).days) > 31:
        raise RowError("actual_date is more than 31 days from normal_date")
    return ChangeRow(normal, actual, text_field(row, "reason", 100, required=False))


def reference_field(row: dict[str, Any]) -> str:
    raw = text_field(row, "reference", 24)
    reference = normalise_reference(raw)
    if reference is None:
        raise RowError(f"reference {raw!r} is not like MB-204117 with a known prefix")
    return reference


def parse_request(row: dict[str, Any]) -> RequestRow:
    reference = reference_field(row)
    category = choice_field(row, "category", tuple(CATEGORY_PREFIXES.values()))
    if CATEGORY_PREFIXES[reference[:2]] != category:
        raise RowError(f"reference {reference} does not match category {category}")
    raw_postcode = text_field(row, "postcode", 16)
    postcode = normalise_postcode(raw_postcode)
    if postcode is None:
        raise RowError(f"postcode {raw_postcode!r} is not a valid UK postcode")
    return RequestRow(
        reference=reference,
        category=category,
        status=choice_field(row, "status", STATUSES),
        postcode=postcode,
        location=text_field(row, "location", 200),
        created=datetime_field(row, "created"),
    )


def parse_history(row: dict[str, Any]) -> HistoryRow:
    return HistoryRow(
        reference=reference_field(row),
        status=choice_field(row, "status", STATUSES),
        at=datetime_field(row, "at"),
        note=text_field(row, "note", 500, required=False),
    )


Row = TypeVar("Row")


def read_file(
    path: Path,
    columns: tuple[str, ...],
    parse: Callable[[dict[str, Any]], Row],
    problems: list[Problem],
) -> list[tuple[int, Row]]:
    """Every good row of one CSV file with its line number; bad rows go to `problems`."""
    rows: list[tuple[int, Row]] = []
    for line, raw in _records(path, columns, problems):
        try:
            rows.append((line, parse(raw)))
        except RowError as error:
            problems.append(Problem(path.name, line, str(error)))
    return rows


def _records(
    path: Path, columns: tuple[str, ...], problems: list[Problem]
) -> Iterator[tuple[int, dict[str, Any]]]:
    reader: csv.DictReader | None = None
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle, strict=True)
            header = [name.strip() for name in reader.fieldnames or []]
            missing = [name for name in columns if name not in header]
            if missing:
                problems.append(Problem(path.name, 1, f"missing column(s): {', '.join(missing)}"))
                return
            reader.fieldnames = header
            for raw in reader:
                if None in raw or any(value is None for value in raw.values()):
                    problems.append(Problem(path.name, reader.line_num, "wrong number of fields"))
                    continue
                yield reader.line_num, raw
    except UnicodeDecodeError:
        problems.append(Problem(path.name, 1, "the file is not UTF-8 text"))
    except csv.Error as error:
        line = reader.line_num if reader is not None else 0
        problems.append(Problem(path.name, line, f"not valid CSV: {error}"))
