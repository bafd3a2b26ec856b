"""`run_db`: SQLite work runs on the event loop's thread, a server database's in a worker."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.db.calls import run_db
from bot.db.session import make_engine
from tests.sqlite_lock import longest_pause, write_lock_held


def _ask(engine: Engine, number: int, *, plus: int = 0) -> tuple[int, str]:
    with engine.connect() as connection:
        answer = connection.execute(text("SELECT :n"), {"n": number}).scalar_one()
    return answer + plus, threading.current_thread().name


async def test_the_work_gets_the_engine_and_its_arguments_where_the_database_suits(
    migrated_engine: Engine,
) -> None:
    answer, thread = await run_db(migrated_engine, _ask, 40, plus=2)
    assert answer == 42
    on_loop = thread == threading.current_thread().name
    assert on_loop == (migrated_engine.dialect.name == "sqlite")


async def test_an_error_in_the_work_reaches_the_caller(migrated_engine: Engine) -> None:
    def fail(_engine: Engine) -> None:
        raise LookupError("no such text")

    with pytest.raises(LookupError, match="no such text"):
        await run_db(migrated_engine, fail)


LOCK_SECONDS = 3.0


def _write(engine: Engine, value: str) -> str:
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO lock_probe (value) VALUES (:v)"), {"v": value})
    return threading.current_thread().name


def _count(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM lock_probe")).scalar_one())


async def test_a_write_waits_for_another_process_lock_in_a_thread_not_on_the_loop(
    tmp_path: Path,
) -> None:
    database = tmp_path / "locked.db"
    engine = make_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE lock_probe (value TEXT)"))
    assert await run_db(engine, _write, "quiet") == threading.current_thread().name

    with write_lock_held(database, LOCK_SECONDS) as released:
        stop = asyncio.Event()
        pauses = asyncio.create_task(longest_pause(stop))
        await asyncio.sleep(0.05)  # the watch has begun
        # A read goes ahead at once, on the loop (WAL: the writer does not block readers).
        assert await run_db(engine, _count) == 1
        thread = await run_db(engine, _write, "while locked")
        stop.set()
        longest = await pauses
    assert thread != threading.current_thread().name  # waited in a worker thread
    assert time.monotonic() >= released - 0.5  # ... until the other process let go
    assert longest < LOCK_SECONDS / 10  # and the loop ran on meanwhile
    assert await run_db(engine, _count) == 2
    engine.dispose()
