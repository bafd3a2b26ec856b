"""The local case system: creating requests and the privacy rules of status look-ups."""

from __future__ import annotations

import re
import socket
import threading
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from bot.clock import LONDON
from bot.db.models import ServiceRequest
from bot.db.session import make_engine, session_scope
from bot.services.case_system import (
    CaseSystemRejected,
    CaseSystemUnavailable,
    NewRequest,
    RequestNotFound,
)
from bot.services.local_cases import FIRST_NOTE, LocalCaseSystem

NOW = datetime(2026, 11, 24, 10, 30, tzinfo=LONDON)


def _cases(engine: Engine) -> LocalCaseSystem:
    return LocalCaseSystem(engine, now=lambda: NOW)


def _pothole(**changes: object) -> NewRequest:
    values: dict = {
        "category": "pothole",
        "description": "Deep hole by the bus stop",
        "location": "Outside 15 High Street",
        "postcode": "ob5 9ub",
        "channel": "web",
    }
    values.update(changes)
    return NewRequest(**values)


def _stored(engine: Engine, reference: str) -> ServiceRequest:
    with session_scope(engine) as session:
        return session.scalars(
            select(ServiceRequest).where(ServiceRequest.reference == reference)
        ).one()


def test_create_gives_a_reference_and_a_received_status(loaded_engine: Engine) -> None:
    created = _cases(loaded_engine).create(_pothole())
    assert re.fullmatch(r"PH-\d{6}", created.reference)
    assert created.status == "received" and created.created_at == NOW
    stored = _stored(loaded_engine, created.reference)
    assert stored.postcode == "OB5 9UB" and stored.channel == "web"
    assert [(u.status, u.note) for u in stored.updates] == [("received", FIRST_NOTE)]
    assert stored.contact_phone is None and stored.contact_email is None


def test_contact_details_are_kept_when_given(loaded_engine: Engine) -> None:
    created = _cases(loaded_engine).create(
        _pothole(contact_email="sam@example.com", channel="sms", contact_phone="07700 900123")
    )
    stored = _stored(loaded_engine, created.reference)
    assert (stored.contact_email, stored.contact_phone) == ("sam@example.com", "07700 900123")


def test_a_taken_reference_is_never_reused(
    loaded_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    numbers = iter([292379, 123456])  # PH-292379 is in the demo data
    monkeypatch.setattr("bot.services.local_cases.secrets.randbelow", lambda _n: next(numbers))
    assert _cases(loaded_engine).create(_pothole()).reference == "PH-123456"
    assert _stored(loaded_engine, "PH-292379").location == "15 High Street"


def test_a_second_report_of_the_same_missed_bin_returns_the_first(loaded_engine: Engine) -> None:
    request = NewRequest(
        category="missed_bin",
        description="",
        location="2 Abbey Road",
        postcode="OB1 1AA",
        uprn="100090000002",
        bin_stream="refuse",
        extra={"collection_date": "2026-11-23"},
    )
    cases = _cases(loaded_engine)
    first, second = cases.create(request), cases.create(request)
    assert first.reference == second.reference and first.reference.startswith("MB-")
    assert _stored(loaded_engine, first.reference).collection_date.isoformat() == "2026-11-23"
    other_bin = cases.create(NewRequest(**{**request.__dict__, "bin_stream": "food"}))
    assert other_bin.reference != first.reference


def test_simultaneous_reports_of_the_same_bin_open_one_request(loaded_engine: Engine) -> None:
    request = NewRequest(
        category="missed_bin",
        description="",
        location="3 Abbey Road",
        postcode="OB1 1AA",
        uprn="100090000003",
        bin_stream="recycling",
    )
    cases, start = _cases(loaded_engine), threading.Barrier(4)
    references: list[str] = []

    def report() -> None:
        start.wait()
        references.append(cases.create(request).reference)

    threads = [threading.Thread(target=report) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(references) == 4 and len(set(references)) == 1
    with session_scope(loaded_engine) as session:
        assert (
            session.scalar(
                select(func.count())
                .select_from(ServiceRequest)
                .where(ServiceRequest.uprn == "100090000003")
            )
            == 1
        )


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"category": "graffiti"}, "unknown category"),
        ({"location": "  "}, "location is required"),
        ({"description": "x" * 2001}, "description is longer"),
        ({"postcode": "OB99 ZZZ"}, "postcode"),
        ({"channel": "fax"}, "unknown channel"),
        ({"contact_email": "not-an-email"}, "contact_email"),
        ({"location": "15 High St\x00"}, "control characters"),
        ({"category": "missed_bin"}, "needs the address"),
    ],
)
def test_invalid_requests_are_rejected_and_nothing_is_stored(
    loaded_engine: Engine, changes: dict, complaint: str
) -> None:
    with pytest.raises(CaseSystemRejected, match=complaint):
        _cases(loaded_engine).create(_pothole(**changes))
    with session_scope(loaded_engine) as session:
        assert session.scalar(select(func.count()).select_from(ServiceRequest)) == 40


def test_reference_alone_shows_only_the_status(loaded_engine: Engine) -> None:
    status = _cases(loaded_engine).status("ph 292379")
    assert (status.reference, status.category, status.status) == (
        "PH-292379",
        "pothole",
        "scheduled",
    )
    assert status.note == "The work is booked in."
    assert status.updated_at == datetime(2026, 11, 6, 0, 0, tzinfo=LONDON)
    assert status.location is None and status.history == ()


def test_matching_postcode_also_shows_location_and_history(loaded_engine: Engine) -> None:
    status = _cases(loaded_engine).status("PH-292379", postcode="ob59ub")
    assert status.location == "15 High Street"
    assert [u.status for u in status.history] == ["received", "in_progress", "scheduled"]
    assert status.history[1].note == "A crew has been assigned."


def test_wrong_postcode_gets_the_same_answer_as_an_unknown_reference(
    loaded_engine: Engine,
) -> None:
    cases = _cases(loaded_engine)
    with pytest.raises(RequestNotFound) as wrong:
        cases.status("PH-292379", postcode="OB1 1AA")
    with pytest.raises(RequestNotFound) as unknown:
        cases.status("PH-292378", postcode="OB1 1AA")
    assert type(wrong.value) is type(unknown.value)
    assert wrong.value.args == ("PH-292379",) and unknown.value.args == ("PH-292378",)
    for bad in ("PH-292378", "hello", "ZZ-292379", "x" * 1000):
        with pytest.raises(RequestNotFound):
            cases.status(bad)
    with pytest.raises(RequestNotFound):
        cases.status("PH-292379", postcode="not a postcode")


def test_a_new_request_can_be_looked_up(loaded_engine: Engine) -> None:
    cases = _cases(loaded_engine)
    created = cases.create(_pothole())
    status = cases.status(created.reference.lower().replace("-", " "), postcode="OB5 9UB")
    assert (status.status, status.note, status.updated_at) == ("received", FIRST_NOTE, NOW)
    assert status.location == "Outside 15 High Street"


def _unreachable_urls(tmp_path: Path) -> list[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return [
        f"sqlite:///{tmp_path}/missing-folder/council.db",
        f"postgresql+psycopg2://postgres@127.0.0.1:{port}/council?connect_timeout=2",
    ]


def test_an_unreachable_database_is_reported_as_unavailable(tmp_path: Path) -> None:
    for url in _unreachable_urls(tmp_path):
        engine = make_engine(url)
        try:
            cases = _cases(engine)
            with pytest.raises(CaseSystemUnavailable):
                cases.create(_pothole())
            with pytest.raises(CaseSystemUnavailable):
                cases.status("PH-292379")
        finally:
            engine.dispose()
