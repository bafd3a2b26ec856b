"""Engines and sessions (SQLAlchemy 1.4 through its 2.0-style API)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from bot.settings import get_settings

BUSY_TIMEOUT_SECONDS = 30.0


def make_engine(url: str, busy_timeout: float = BUSY_TIMEOUT_SECONDS) -> Engine:
    """An engine for `url`; SQLite gets foreign keys on, WAL and a busy timeout (seconds
    a statement waits for another connection's lock before it fails)."""
    if url.startswith("sqlite"):
        in_file = make_url(url).database not in (None, "", ":memory:")
        engine = create_engine(
            url,
            future=True,
            connect_args={"timeout": busy_timeout, "check_same_thread": False},
            # SQLAlchemy 1.4 opens a new file connection per session (NullPool): keep them.
            **({"poolclass": QueuePool} if in_file else {}),
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            # With WAL, NORMAL is safe against crashes and skips a disk sync per commit.
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return create_engine(url, future=True, pool_pre_ping=True)


@lru_cache(maxsize=4)
def get_engine(url: str | None = None) -> Engine:
    """The process-wide engine for `url` (default: the settings' database)."""
    return make_engine(url or get_settings().database_url)


def session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(bind=engine, future=True, expire_on_commit=False)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    session = session_factory(engine or get_engine())()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
