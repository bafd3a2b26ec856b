"""Loading a council's data files: as they are, idempotently, all or nothing."""

from __future__ import annotations

import shutil
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from bot.db.models import (
    Address,
    CollectionChange,
    RoundStream,
    ServiceRequest,
    StatusUpdateRecord,
)
from bot.db.session import session_scope
from bot.services.data_loader import load_council_data
from bot.services.data_rows import DataFileError
from bot.services.service_requests import record_status_change


def _count(engine: Engine, model: type) -> int:
    with session_scope(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)))


def _copy(demo_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "council-data"
    shutil.copytree(demo_dir, target)
    return target


def test_demo_data_loads_every_row(migrated_engine: Engine, demo_dir: Path) -> None:
    with session_scope(migrated_engine) as session:
        report = load_council_data(session, demo_dir)
    assert report.inserted["addresses"] == 294
    assert _count(migrated_engine, Address) == 294
    assert _count(migrated_engine, RoundStream) == 36
    assert _count(migrated_engine, CollectionChange) == 17
    assert _count(migrated_engine, ServiceRequest) == 40
    assert _count(migrated_engine, StatusUpdateRecord) == 96


def test_loading_twice_changes_nothing(loaded_engine: Engine, demo_dir: Path) -> None:
    with session_scope(loaded_engine) as session:
        report = load_council_data(session, demo_dir)
    assert report.changed == 0
    assert report.unchanged["addresses"] == 294
    assert report.unchanged["status updates"] == 96
    assert _count(loaded_engine, Address) == 294


def test_imported_values_are_kept_as_given(loaded_engine: Engine) -> None:
    with session_scope(loaded_engine) as session:
        cottage = session.get(Address, "100090000255")
        assert (cottage.house, cottage.street, cottage.town, cottage.postcode) == (
            "Rose Cottage",
            "Heron Close",
            "Hollins",
            "OB4 3TY",
        )
        assert cottage.round_code == "THU-B" and cottage.garden_waste is True
        request = session.scalars(
            select(ServiceRequest).where(ServiceRequest.reference == "PH-292379")
        ).one()
        assert request.status == "scheduled"
        # 2026-11-06T00:00 in London (GMT in November) is midnight UTC.
        assert request.updated_at == datetime(2026, 11, 6, 0, 0, tzinfo=timezone.utc)
        assert [u.status for u in request.updates] == ["received", "in_progress", "scheduled"]
        change = session.get(CollectionChange, date(2026, 12, 25))
        assert change.actual_date == date(2026, 12, 26)


def test_a_changed_row_is_updated_on_the_next_load(
    loaded_engine: Engine, demo_dir: Path, tmp_path: Path
) -> None:
    data = _copy(demo_dir, tmp_path)
    addresses = data / "addresses.csv"
    addresses.write_text(
        addresses.read_text().replace(
            "100090000002,2,Abbey Road,Oakbridge,OB1 1AA,MON-A,no",
            "100090000002,2,Abbey Road,Oakbridge,OB1 1AA,MON-A,yes",
        )
    )
    with session_scope(loaded_engine) as session:
        report = load_council_data(session, data)
    assert report.updated["addresses"] == 1 and report.changed == 1
    with session_scope(loaded_engine) as session:
        assert session.get(Address, "100090000002").garden_waste is True


@pytest.mark.parametrize(
    ("file", "find", "replace", "line", "message"),
    [
        (
            "addresses.csv",
            "OB1 1AA,MON-A,no\n100090000003",
            "OBX 1AA,MON-A,no\n100090000003",
            3,
            "not a valid UK postcode",
        ),
        (
            "addresses.csv",
            "100090000004,4,Abbey Road,Oakbridge,OB1 1AA,MON-A",
            "100090000004,4,Abbey Road,Oakbridge,OB1 1AA,SUN-Z",
            5,
            "round 'SUN-Z' is not in",
        ),
        ("addresses.csv", "100090000005,5,", "100090000004,5,", 6, "uprn already given"),
        (
            "rounds.csv",
            "MON-A,food,food waste caddy,weekly",
            "MON-A,food,food waste caddy,daily",
            4,
            "frequency 'daily' is not one of",
        ),
        (
            "collection_changes.csv",
            "2026-12-25,2026-12-26",
            "2026-12-25,26/12/2026",
            2,
            "not a date",
        ),
        (
            "service_requests.csv",
            "PH-473263,pothole",
            "PH-473263,street_light",
            2,
            "does not match category",
        ),
        (
            "service_request_history.csv",
            "PH-473263,received",
            "PH-000000,received",
            2,
            "reference PH-000000 is not in",
        ),
    ],
)
def test_a_bad_row_names_file_and_line_and_nothing_is_imported(
    migrated_engine: Engine,
    demo_dir: Path,
    tmp_path: Path,
    file: str,
    find: str,
    replace: str,
    line: int,
    message: str,
) -> None:
    data = _copy(demo_dir, tmp_path)
    path = data / file
    original = path.read_text()
    assert find in original
    path.write_text(original.replace(find, replace, 1))
    with pytest.raises(DataFileError) as raised, session_scope(migrated_engine) as session:
        load_council_data(session, data)
    assert f"{file} line {line}: " in str(raised.value)
    assert message in str(raised.value)
    assert _count(migrated_engine, Address) == 0
    assert _count(migrated_engine, ServiceRequest) == 0


def test_a_missing_column_is_reported_on_line_1(
    migrated_engine: Engine, demo_dir: Path, tmp_path: Path
) -> None:
    data = _copy(demo_dir, tmp_path)
    path = data / "addresses.csv"
    path.write_text(path.read_text().replace(",garden_waste_subscriber", ",garden", 1))
    with (
        pytest.raises(DataFileError, match=r"addresses.csv line 1: missing column"),
        session_scope(migrated_engine) as session,
    ):
        load_council_data(session, data)


def test_a_missing_required_file_is_an_error(migrated_engine: Engine, tmp_path: Path) -> None:
    with (
        pytest.raises(DataFileError, match="rounds.csv"),
        session_scope(migrated_engine) as session,
    ):
        load_council_data(session, tmp_path)


def test_reloading_keeps_progress_made_since_the_import(
    loaded_engine: Engine, demo_dir: Path
) -> None:
    later = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)
    with session_scope(loaded_engine) as session:
        record_status_change(session, "PH-292379", "completed", "The work has been done.", later)
    with session_scope(loaded_engine) as session:
        report = load_council_data(session, demo_dir)
    assert report.changed == 0
    with session_scope(loaded_engine) as session:
        request = session.scalars(
            select(ServiceRequest).where(ServiceRequest.reference == "PH-292379")
        ).one()
        assert (request.status, request.updated_at) == ("completed", later)
        assert [u.status for u in request.updates][-1] == "completed"
