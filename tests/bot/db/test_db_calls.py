"""`run_db`: SQLite work runs on the event loop's thread, a server database's in a worker."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.db.calls import run_db


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
