"""Failed status look-ups are throttled per conversation, stored only as hashes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.db.models import FailedStatusLookup
from bot.db.session import session_scope
from bot.privacy import hash_identifier
from bot.services.lookup_throttle import configured_limits, is_throttled, record_failed_lookup
from bot.settings import Settings

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=timezone.utc)
HOUR = timedelta(hours=1)


def _fail(engine: Engine, conversation: str, at: datetime, times: int = 1) -> None:
    with session_scope(engine) as session:
        for _ in range(times):
            record_failed_lookup(session, conversation, at)


def _throttled(engine: Engine, conversation: str, at: datetime = NOW) -> bool:
    with session_scope(engine) as session:
        return is_throttled(session, conversation, at, limit=5, window=HOUR)


def test_five_failures_in_an_hour_throttle_the_conversation(migrated_engine: Engine) -> None:
    _fail(migrated_engine, "conv-a", NOW - timedelta(minutes=30), times=4)
    assert not _throttled(migrated_engine, "conv-a")
    _fail(migrated_engine, "conv-a", NOW - timedelta(minutes=1))
    assert _throttled(migrated_engine, "conv-a")


def test_throttle_is_per_conversation(migrated_engine: Engine) -> None:
    _fail(migrated_engine, "conv-a", NOW, times=5)
    assert not _throttled(migrated_engine, "conv-b")


def test_failures_older_than_the_window_no_longer_count(migrated_engine: Engine) -> None:
    _fail(migrated_engine, "conv-a", NOW - timedelta(minutes=61), times=5)
    assert not _throttled(migrated_engine, "conv-a")
    assert _throttled(migrated_engine, "conv-a", NOW - timedelta(minutes=30))


def test_only_a_hash_of_the_conversation_id_is_stored(migrated_engine: Engine) -> None:
    _fail(migrated_engine, "+447700900123", NOW)
    with session_scope(migrated_engine) as session:
        stored = session.scalars(select(FailedStatusLookup.conversation_hash)).all()
    assert stored == [hash_identifier("+447700900123")]
    assert "447700900123" not in stored[0]


def test_failures_older_than_a_day_are_cleared(migrated_engine: Engine) -> None:
    _fail(migrated_engine, "conv-a", NOW - timedelta(days=2), times=3)
    _fail(migrated_engine, "conv-a", NOW)
    with session_scope(migrated_engine) as session:
        assert len(session.scalars(select(FailedStatusLookup.id)).all()) == 1


def test_naive_times_are_refused(migrated_engine: Engine) -> None:
    with pytest.raises(ValueError), session_scope(migrated_engine) as session:
        record_failed_lookup(session, "conv-a", datetime(2026, 11, 24, 15, 0))


def test_hash_is_keyed_and_stable() -> None:
    assert hash_identifier("abc") == hash_identifier("abc")
    assert hash_identifier("abc") != hash_identifier("abd")
    assert hash_identifier("abc", secret="one") != hash_identifier("abc", secret="two")
    assert len(hash_identifier("abc")) == 64


def test_limits_come_from_the_settings() -> None:
    settings = Settings(status_lookup_attempts=3, status_lookup_window_minutes=10)
    assert configured_limits(settings) == (3, timedelta(minutes=10))
    assert configured_limits(Settings()) == (5, HOUR)
