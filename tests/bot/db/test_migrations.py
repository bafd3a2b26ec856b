"""The schema is made and removed only by the Alembic migrations, on both databases."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.db.migrate import downgrade_base, upgrade
from bot.db.models import ServiceRequest
from bot.db.session import make_engine, session_scope

COUNCIL_TABLES = {
    "addresses",
    "collection_rounds",
    "round_streams",
    "collection_changes",
    "service_requests",
    "service_request_updates",
    "status_lookup_failures",
}


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_to_heads_creates_the_council_tables(database_url: str) -> None:
    upgrade(database_url)
    assert _tables(database_url) >= COUNCIL_TABLES


def test_downgrade_to_base_removes_every_table_and_upgrade_works_again(database_url: str) -> None:
    upgrade(database_url)
    downgrade_base(database_url)
    assert _tables(database_url) <= {"alembic_version"}
    upgrade(database_url)
    assert _tables(database_url) >= COUNCIL_TABLES


def test_upgrade_twice_is_harmless(database_url: str) -> None:
    upgrade(database_url)
    upgrade(database_url)
    assert _tables(database_url) >= COUNCIL_TABLES


def test_open_missed_bin_index_is_unique_and_partial(database_url: str) -> None:
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        indexes = {i["name"]: i for i in inspect(engine).get_indexes("service_requests")}
    finally:
        engine.dispose()
    assert indexes["uq_service_requests_open_missed_bin"]["unique"]


def test_the_database_refuses_a_second_open_report_of_the_same_bin(
    migrated_engine: Engine,
) -> None:
    moment = datetime(2026, 11, 24, 10, tzinfo=timezone.utc)

    def report(reference: str, status: str, stream: str = "refuse") -> ServiceRequest:
        return ServiceRequest(
            reference=reference,
            category="missed_bin",
            status=status,
            location="2 Abbey Road",
            description="",
            uprn="100090000002",
            bin_stream=stream,
            channel="web",
            created_at=moment,
            updated_at=moment,
        )

    with session_scope(migrated_engine) as session:
        session.add_all(
            [
                report("MB-000001", "completed"),
                report("MB-000002", "received"),
                report("MB-000003", "received", stream="food"),
            ]
        )
    with pytest.raises(IntegrityError), session_scope(migrated_engine) as session:
        session.add(report("MB-000004", "in_progress"))
