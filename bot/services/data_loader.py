"""Import a council's data files (addresses, rounds, bank-holiday changes, service
requests and their history) into the database, as they are and idempotently.

Every row of every file is checked first; if any is bad, DataFileError lists
the problems (file and line) and nothing is written. Rows already stored with
the same values are left alone, so loading twice changes nothing. Rows are
never deleted: a record missing from a later file stays in the database. A record
in the files is set to the files' values, except a service request updated in the
database after the files' last update for it: that newer progress is kept.
The caller owns the transaction (use bot.db.session.session_scope).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import (
    Address,
    CollectionChange,
    CollectionRound,
    RoundStream,
    ServiceRequest,
    StatusUpdateRecord,
)
from bot.services.data_rows import (
    MAX_PROBLEMS,
    AddressRow,
    ChangeRow,
    DataFileError,
    HistoryRow,
    Problem,
    RequestRow,
    RoundRow,
    parse_address,
    parse_change,
    parse_history,
    parse_request,
    parse_round,
    read_file,
)

ROUNDS = ("rounds.csv", ("round", "stream", "container", "frequency", "first_collection"))
ADDRESSES = (
    "addresses.csv",
    ("uprn", "house", "street", "town", "postcode", "round", "garden_waste_subscriber"),
)
CHANGES = ("collection_changes.csv", ("normal_date", "actual_date"))
REQUESTS = (
    "service_requests.csv",
    ("reference", "category", "status", "postcode", "location", "created"),
)
HISTORY = ("service_request_history.csv", ("reference", "status", "at", "note"))
REQUIRED_FILES = (ROUNDS[0], ADDRESSES[0])


@dataclass
class LoadReport:
    """How many records of each kind were inserted, updated or already up to date."""

    inserted: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)

    @property
    def changed(self) -> int:
        """Records inserted or updated: 0 when the database already matched the files."""
        return sum(self.inserted.values()) + sum(self.updated.values())

    def summary(self) -> str:
        kinds = sorted(set(self.inserted) | set(self.updated) | set(self.unchanged))
        return "\n".join(
            f"{kind}: {self.inserted[kind]} inserted, {self.updated[kind]} updated, "
            f"{self.unchanged[kind]} unchanged"
            for kind in kinds
        )


@dataclass
class _Files:
    rounds: list[tuple[int, RoundRow]]
    addresses: list[tuple[int, AddressRow]]
    changes: list[tuple[int, ChangeRow]]
    requests: list[tuple[int, RequestRow]]
    history: list[tuple[int, HistoryRow]]


def load_council_data(session: Session, directory: Path) -> LoadReport:
    """Check and import the data files in `directory`; returns what changed.

    Raises DataFileError (listing file, line and problem) before writing anything
    when a required file is missing or any row is invalid.
    """
    files = read_council_files(directory)
    report = LoadReport()
    _store_rounds(session, files.rounds, report)
    _store_addresses(session, files.addresses, report)
    _store_changes(session, files.changes, report)
    _store_requests(session, files.requests, files.history, report)
    session.flush()
    return report


def read_council_files(directory: Path) -> _Files:
    """Read and check every file; raises DataFileError listing all problems found."""
    problems: list[Problem] = []
    for name in REQUIRED_FILES:
        if not (directory / name).is_file():
            problems.append(Problem(name, 0, f"the file is missing from {directory}"))
    if problems:
        raise DataFileError(problems)

    def read(spec: tuple[str, tuple[str, ...]], parse: Any) -> list[Any]:
        path = directory / spec[0]
        return read_file(path, spec[1], parse, problems) if path.is_file() else []

    files = _Files(
        rounds=read(ROUNDS, parse_round),
        addresses=read(ADDRESSES, parse_address),
        changes=read(CHANGES, parse_change),
        requests=read(REQUESTS, parse_request),
        history=read(HISTORY, parse_history),
    )
    _check_across_files(files, problems)
    if problems:
        raise DataFileError(problems[:MAX_PROBLEMS])
    return files


def _check_across_files(files: _Files, problems: list[Problem]) -> None:
    def once(name: str, rows: list[tuple[int, Any]], key: Any, what: str) -> None:
        seen: dict[Any, int] = {}
        for line, row in rows:
            value = key(row)
            if value in seen:
                problems.append(Problem(name, line, f"{what} already given on line {seen[value]}"))
            seen.setdefault(value, line)

    once(ROUNDS[0], files.rounds, lambda r: (r.round, r.stream), "this round and stream")
    once(ADDRESSES[0], files.addresses, lambda r: r.uprn, "this uprn")
    once(CHANGES[0], files.changes, lambda r: r.normal_date, "this normal_date")
    once(REQUESTS[0], files.requests, lambda r: r.reference, "this reference")
    once(HISTORY[0], files.history, lambda r: (r.reference, r.at, r.status), "this change")
    rounds = {row.round for _, row in files.rounds}
    for line, address in files.addresses:
        if address.round not in rounds:
            problems.append(
                Problem(ADDRESSES[0], line, f"round {address.round!r} is not in {ROUNDS[0]}")
            )
    latest: dict[str, HistoryRow] = {}
    references = {row.reference for _, row in files.requests}
    for line, entry in files.history:
        if entry.reference not in references:
            problems.append(
                Problem(HISTORY[0], line, f"reference {entry.reference} is not in {REQUESTS[0]}")
            )
        elif entry.reference not in latest or entry.at >= latest[entry.reference].at:
            latest[entry.reference] = entry
    for line, request in files.requests:
        last = latest.get(request.reference)
        if last is not None and last.status != request.status:
            problems.append(
                Problem(
                    REQUESTS[0],
                    line,
                    f"status {request.status} differs from "
                    f"the latest history entry ({last.status})",
                )
            )


def _apply(record: Any, values: dict[str, Any]) -> bool:
    """Set `values` on `record`; True when anything differed."""
    changed = False
    for name, value in values.items():
        if getattr(record, name) != value:
            setattr(record, name, value)
            changed = True
    return changed


def _upsert(
    session: Session,
    existing: dict[Any, Any],
    key: Any,
    model: Any,
    values: dict[str, Any],
    kind: str,
    report: LoadReport,
) -> Any:
    record = existing.get(key)
    if record is None:
        record = model(**values)
        session.add(record)
        existing[key] = record
        report.inserted[kind] += 1
    elif _apply(record, values):
        report.updated[kind] += 1
    else:
        report.unchanged[kind] += 1
    return record


def _store_rounds(session: Session, rows: list[tuple[int, RoundRow]], report: LoadReport) -> None:
    rounds = {r.code: r for r in session.scalars(select(CollectionRound))}
    streams = {(s.round_code, s.stream): s for s in session.scalars(select(RoundStream))}
    for code in dict.fromkeys(row.round for _, row in rows):
        _upsert(session, rounds, code, CollectionRound, {"code": code}, "rounds", report)
    session.flush()
    for _, row in rows:
        values = {
            "round_code": row.round,
            "stream": row.stream,
            "container": row.container,
            "frequency": row.frequency,
            "interval_days": row.interval_days,
            "first_collection": row.first_collection,
            "notes": row.notes,
        }
        _upsert(
            session, streams, (row.round, row.stream), RoundStream, values, "round streams", report
        )
    session.flush()


def _store_addresses(
    session: Session, rows: list[tuple[int, AddressRow]], report: LoadReport
) -> None:
    existing = {a.uprn: a for a in session.scalars(select(Address))}
    for _, row in rows:
        values = {
            "uprn": row.uprn,
            "house": row.house,
            "street": row.street,
            "town": row.town,
            "postcode": row.postcode,
            "round_code": row.round,
            "garden_waste": row.garden_waste,
        }
        _upsert(session, existing, row.uprn, Address, values, "addresses", report)
    session.flush()


def _store_changes(session: Session, rows: list[tuple[int, ChangeRow]], report: LoadReport) -> None:
    existing = {c.normal_date: c for c in session.scalars(select(CollectionChange))}
    for _, row in rows:
        values = {
            "normal_date": row.normal_date,
            "actual_date": row.actual_date,
            "reason": row.reason,
        }
        _upsert(
            session,
            existing,
            row.normal_date,
            CollectionChange,
            values,
            "collection changes",
            report,
        )
    session.flush()


def _store_requests(
    session: Session,
    rows: list[tuple[int, RequestRow]],
    history: list[tuple[int, HistoryRow]],
    report: LoadReport,
) -> None:
    existing = {r.reference: r for r in session.scalars(select(ServiceRequest))}
    entries: dict[str, list[HistoryRow]] = {}
    for _, entry in history:
        entries.setdefault(entry.reference, []).append(entry)
    for _, row in rows:
        own = sorted(entries.get(row.reference, []), key=lambda e: e.at)
        updated_at = own[-1].at if own else row.created
        values = {
            "reference": row.reference,
            "category": row.category,
            "status": row.status,
            "postcode": row.postcode,
            "location": row.location,
            "created_at": row.created,
            "updated_at": updated_at,
        }
        record = existing.get(row.reference)
        if record is None:
            values.update(description="", channel="import")
        elif record.updated_at > updated_at:
            # Staff have moved this request on since the export: keep their update.
            report.unchanged["service requests"] += 1
            _store_history(record, own, report)
            continue
        request = _upsert(
            session, existing, row.reference, ServiceRequest, values, "service requests", report
        )
        _store_history(request, own, report)
    session.flush()


def _store_history(request: ServiceRequest, entries: list[HistoryRow], report: LoadReport) -> None:
    stored = {(u.at, u.status): u for u in request.updates}
    for entry in entries:
        update = stored.get((entry.at, entry.status))
        if update is None:
            request.updates.append(
                StatusUpdateRecord(status=entry.status, at=entry.at, note=entry.note)
            )
            report.inserted["status updates"] += 1
        elif _apply(update, {"note": entry.note}):
            report.updated["status updates"] += 1
        else:
            report.unchanged["status updates"] += 1
