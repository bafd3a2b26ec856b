"""Prepared statements on a kept connection (bot/db/prepared.py) against SQLAlchemy's own
reads and writes of the same rows, on SQLite (where they are used) and, through
`short_transaction`, on PostgreSQL."""

from __future__ import annotations

import gc
import os
import threading
import weakref
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, NoResultFound, StatementError

from bot.db import prepared
from bot.db import sms as store
from bot.db.session import make_engine

NUMBER = "hash-of-07700900001"
OUTBOUND = store.SmsOutbound.__table__
# Not UTC, with microseconds: both must be converted the same way by both paths.
MOMENT = datetime(2026, 7, 1, 14, 30, 5, 123456, tzinfo=timezone(timedelta(hours=1)))


def inbound(message_id: str, provider: str = "twilio") -> store.Inbound:
    """A text from one made-up number, as a provider delivers it."""
    return store.Inbound(provider, message_id, "+447700900001", "hello")


def _text_values(key: str) -> dict[str, Any]:
    return {
        "idempotency_key": key,
        "provider": "outbox",
        "recipient": "+447700900001",
        "recipient_hash": NUMBER,
        "body": "Your bins go out on Tuesday. Recycling: blue bin.",
        "status": "sent",
        "attempts": 1,
        "next_attempt_at": None,
        "created_at": MOMENT,
        "updated_at": MOMENT,
    }


@pytest.fixture
def sqlite_engine(migrated_engine: Engine) -> Engine:
    if migrated_engine.dialect.name != "sqlite":
        pytest.skip("the kept connection is SQLite's")
    return migrated_engine


def test_a_row_written_on_the_kept_connection_is_stored_as_sqlalchemy_stores_it(
    sqlite_engine: Engine,
) -> None:
    with prepared.kept_connection(sqlite_engine).transaction() as transaction:
        kept_id = transaction.run(insert(OUTBOUND), _text_values("kept"))
    with sqlite_engine.begin() as connection:
        sa_id = connection.execute(
            insert(OUTBOUND), _text_values("sqlalchemy")
        ).inserted_primary_key[0]
        stored = {
            row.id: row[1:]
            for row in connection.execute(
                text(
                    "SELECT id, body, status, attempts, created_at, next_attempt_at "
                    "FROM sms_outbound WHERE id IN (:a, :b)"
                ),
                {"a": kept_id, "b": sa_id},
            )
        }
    assert kept_id is not None and kept_id != sa_id
    assert stored[kept_id] == stored[sa_id]  # the very same text in the file
    assert stored[kept_id][3] == "2026-07-01 13:30:05.123456"  # naive UTC, as UtcDateTime says
    text_read = store.get_outbound(sqlite_engine, kept_id)
    assert text_read is not None and text_read.created_at == MOMENT
    assert text_read.created_at.tzinfo == timezone.utc


def test_a_row_read_on_the_kept_connection_is_converted_as_sqlalchemy_converts_it(
    sqlite_engine: Engine,
) -> None:
    store.set_opted_out(sqlite_engine, NUMBER, True)
    store.add_outbound(
        sqlite_engine, store.NewText("k-1", "outbox", "+447700900001", NUMBER, "Hello")
    )
    values = {"number": NUMBER, "key": "k-1"}
    with sqlite_engine.connect() as connection:
        expected = connection.execute(store._OPT_OUT_AND_KEY, values).one()
    with prepared.kept_connection(sqlite_engine).transaction() as transaction:
        row = transaction.one(store._OPT_OUT_AND_KEY, values)
    assert tuple(row) == tuple(expected)
    assert [type(value) for value in row] == [type(value) for value in expected]
    assert row.opted_out is True and row.created_at.tzinfo == timezone.utc
    assert row.idempotency_key == "k-1"


def test_a_transaction_that_raises_writes_nothing_and_the_next_one_works(
    migrated_engine: Engine,
) -> None:
    with pytest.raises(RuntimeError), prepared.short_transaction(migrated_engine) as transaction:
        store._claim(transaction, inbound("SM1"), NUMBER, migrated_engine.dialect.name)
        raise RuntimeError("a failure after the first write")
    assert store.claim_inbound(migrated_engine, inbound("SM1"), NUMBER) is True
    assert store.claim_inbound(migrated_engine, inbound("SM1"), NUMBER) is False


def test_a_broken_constraint_is_sqlalchemys_integrity_error_and_rolls_back(
    migrated_engine: Engine,
) -> None:
    store.claim_inbound(migrated_engine, inbound("SM1"), NUMBER)
    with pytest.raises(IntegrityError), prepared.short_transaction(migrated_engine) as transaction:
        store._save_options(transaction, NUMBER, [{"number": 1, "title": "Bins"}])
        store._claim(transaction, inbound("SM1"), NUMBER, migrated_engine.dialect.name)
    # The options written before the failure went with it.
    state = store.number_state(migrated_engine, NUMBER, timedelta(hours=2))
    assert not state.has_stored_options


def test_a_bound_parameter_without_a_value_is_refused(migrated_engine: Engine) -> None:
    with pytest.raises(StatementError), prepared.short_transaction(migrated_engine) as transaction:
        transaction.one(store._STATE_OF, {})


def test_a_naive_time_is_refused_before_the_database(migrated_engine: Engine) -> None:
    naive = {"number_hash": NUMBER, "options_json": "[]", "offered_at": datetime(2026, 7, 1)}
    with pytest.raises(StatementError), prepared.short_transaction(migrated_engine) as transaction:
        transaction.run(insert(store.SmsPendingOptions.__table__), naive)
    with migrated_engine.connect() as connection:
        assert connection.execute(select(store.SmsPendingOptions.number_hash)).all() == []


def test_one_row_is_required_where_one_is_asked_for(migrated_engine: Engine) -> None:
    empty = select(OUTBOUND.c.id).where(OUTBOUND.c.idempotency_key == "none")
    with pytest.raises(NoResultFound), prepared.short_transaction(migrated_engine) as transaction:
        transaction.one(empty, {})


def test_threads_sharing_the_kept_connection_take_turns(sqlite_engine: Engine) -> None:
    errors: list[BaseException] = []

    def claim_many(thread: int) -> None:
        try:
            for message in range(40):
                assert store.claim_inbound(sqlite_engine, inbound(f"SM{thread}-{message}"), NUMBER)
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            errors.append(error)

    threads = [threading.Thread(target=claim_many, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with sqlite_engine.connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM sms_inbound")).scalar_one()
    assert count == 160


def test_the_kept_connection_is_closed_with_its_engine(sqlite_engine: Engine) -> None:
    path = Path(str(sqlite_engine.url.database)).resolve()

    def files_open() -> int:
        fds = Path("/proc/self/fd")
        return sum(1 for fd in fds.iterdir() if _points_to(fd, path))

    before = files_open()
    engine = make_engine(f"sqlite:///{path}")
    kept = prepared.kept_connection(engine)
    assert prepared.kept_connection(engine) is kept
    assert files_open() > before
    assert _pooled_connection(engine) is not kept.dbapi_connection  # never handed out
    engine_alive = weakref.ref(engine)
    engine.dispose()
    del engine, kept
    gc.collect()
    assert engine_alive() is None
    assert files_open() == before


def _pooled_connection(engine: Engine) -> Any:
    with engine.connect() as connection:
        return connection.connection.dbapi_connection


def _points_to(fd: Path, path: Path) -> bool:
    try:
        return Path(os.readlink(fd)) == path
    except OSError:  # closed while listing
        return False


def test_a_dialect_without_positional_parameters_is_refused() -> None:
    with pytest.raises(ValueError, match="positional"):
        prepared.PreparedStatement(store._STATE_OF, postgresql.psycopg2.dialect())


def test_an_insert_is_compiled_for_the_columns_it_is_given(sqlite_engine: Engine) -> None:
    kept = prepared.kept_connection(sqlite_engine)
    with kept.transaction() as transaction:
        transaction.run(
            insert(store.SmsOptOut.__table__), {"number_hash": "a", "opted_out_at": MOMENT}
        )
        transaction.run(
            insert(store.SmsOptOut.__table__), {"opted_out_at": MOMENT, "number_hash": "b"}
        )
    assert store.is_opted_out(sqlite_engine, "a") and store.is_opted_out(sqlite_engine, "b")


def test_an_insert_leaving_a_column_to_its_python_default_is_refused(
    sqlite_engine: Engine,
) -> None:
    # SQLAlchemy runs such a default (here `utcnow`) itself for every row; a prepared
    # statement would store nothing in its place.
    values = {"provider": "twilio", "provider_message_id": "SM1", "number_hash": "a"}
    kept = prepared.kept_connection(sqlite_engine)
    with pytest.raises(StatementError, match="default"), kept.transaction() as transaction:
        transaction.run(insert(store.SmsInbound.__table__), values)
    assert store.claim_inbound(sqlite_engine, inbound("SM1"), "a")


def test_with_the_cache_off_sqlite_runs_the_same_statements_through_sqlalchemy(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.settings import get_settings

    assert store.claim_inbound(sqlite_engine, inbound("SM1"), NUMBER) is True  # cached
    monkeypatch.setenv("DB_STATEMENT_CACHE", "off")
    get_settings.cache_clear()
    try:
        with (
            caplog.at_level("INFO", logger="bot.db.prepared"),
            prepared.short_transaction(sqlite_engine) as transaction,
        ):
            assert isinstance(transaction, prepared.ConnectionTransaction)
        assert "SQLite statement cache: off (DB_STATEMENT_CACHE=off)" in caplog.text
        # The same store, read and written the other way: a retry is still a retry.
        assert store.claim_inbound(sqlite_engine, inbound("SM1"), NUMBER) is False
        assert store.claim_inbound(sqlite_engine, inbound("SM2"), NUMBER) is True
        new = store.NewText("k-off", "outbox", "+447700900001", NUMBER, "Bins on Tuesday.")
        stored = store.add_outbound(sqlite_engine, new, answers=("twilio", "SM2"))
    finally:
        monkeypatch.delenv("DB_STATEMENT_CACHE")
        get_settings.cache_clear()
    assert [text.body for text in store.outbound_for(sqlite_engine, NUMBER)] == ["Bins on Tuesday."]
    assert stored.created and store.get_outbound(sqlite_engine, stored.text.id) is not None
    assert [text.message_id for text in store.unfinished_inbound(sqlite_engine, timedelta(0))] == [
        "SM1"
    ]
