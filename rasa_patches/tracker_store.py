"""Rasa's SQL tracker store: SQLite in WAL with a pool, reads and saves with Core statements.

The same rows as Rasa's own save and the same events as its own read (the tests compare
them on SQLite and PostgreSQL).

Rasa runs the store's statements on the event loop. On SQLite they are tried there through
connections that never wait for a lock; when another process holds the write lock (a cron
`privacy retain` deleting old conversations) they run again in a worker thread that waits
for it (`bot.db.calls.on_loop_unless_locked`), so other conversations go on meanwhile.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from functools import lru_cache, wraps
from typing import Any, TypeVar

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import bindparam, create_engine, event, func, insert, or_, select
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool

from bot.db.calls import on_loop_unless_locked
from bot.db.session import BUSY_TIMEOUT_SECONDS
from bot.db.text import plain_text

T = TypeVar("T")
QUICK_SESSIONS = "quick_sessionmaker"  # on an SQLite file store: see `_run`


def _sqlite_wal(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_engine(url: Any, busy_timeout: float) -> Any:
    # SQLAlchemy 1.4 opens a new SQLite file connection per session: keep a pool.
    engine = create_engine(
        url,
        poolclass=QueuePool,
        connect_args={"check_same_thread": False, "timeout": busy_timeout},
    )
    event.listen(engine, "connect", _sqlite_wal)
    return engine


def _tracker_store_with_wal(original: Callable[..., None]) -> Callable[..., None]:
    @wraps(original)
    def __init__(self: SQLTrackerStore, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        if self.engine.dialect.name != "sqlite":
            return
        url = self.engine.url
        if url.database not in (None, "", ":memory:"):
            self.engine.dispose()
            self.engine = _sqlite_engine(url, BUSY_TIMEOUT_SECONDS)
            self.sessionmaker = sessionmaker(bind=self.engine)
            # Ours, beside Rasa's own: sessions that never wait for a lock (`_run`).
            setattr(self, QUICK_SESSIONS, sessionmaker(bind=_sqlite_engine(url, 0)))
        else:
            event.listen(self.engine, "connect", _sqlite_wal)

    return __init__


@lru_cache(maxsize=8)
def _tracker_statements(table: Any) -> tuple[Any, Any, Any, Any]:
    """For one events table, built once with the sender as a bound parameter: Rasa's reads
    of all of a conversation's events and of those since its latest session start, its
    count of the stored ones since then, and the insert."""
    from rasa.shared.core.events import SessionStarted

    sender = bindparam("sender_id")
    start = (
        select(func.max(table.c.timestamp))
        .where(table.c.sender_id == sender, table.c.type_name == SessionStarted.type_name)
        .scalar_subquery()
    )
    since_start = or_(table.c.timestamp >= start, start.is_(None))  # all when none yet
    every_event = select(table.c.data).where(table.c.sender_id == sender).order_by(table.c.id)
    this_session = (
        select(table.c.data).where(table.c.sender_id == sender, since_start).order_by(table.c.id)
    )
    stored = select(func.count()).select_from(table).where(table.c.sender_id == sender, since_start)
    return every_event, this_session, stored, insert(table)


async def retrieve_tracker_with_core(
    self: SQLTrackerStore, sender_id: str, fetch_events_from_all_sessions: bool
) -> DialogueStateTracker | None:
    """SQLTrackerStore._retrieve: the same events, read as their stored JSON only."""
    every_event, this_session, _, _ = _tracker_statements(self.SQLEvent.__table__)
    query = every_event if fetch_events_from_all_sessions else this_session

    def read(sessions: Callable[[], Any]) -> list[str]:
        with sessions() as session:
            found = session.execute(query, {"sender_id": plain_text(sender_id)})
            return list(found.scalars().all())

    stored = await _run(self, read)
    events = [json.loads(data) for data in stored]
    if self.domain and events:
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
    return None


def _event_row(sender_id: str, event: Event) -> dict[str, Any]:
    """The row Rasa's `SQLTrackerStore.save` stores for `event`."""
    from rasa.shared.nlu.constants import INTENT_NAME_KEY

    data = event.as_dict()
    intent = data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY)
    action = data.get("name")
    return {
        # Columns a caller can fill (a REST sender, a "/intent" message) without NUL or
        # other control characters, which PostgreSQL refuses (the JSON escapes its own).
        "sender_id": plain_text(sender_id),
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": plain_text(intent) if isinstance(intent, str) else intent,
        "action_name": plain_text(action) if isinstance(action, str) else action,
        "data": json.dumps(data),
    }


async def save_tracker_with_core(self: SQLTrackerStore, tracker: DialogueStateTracker) -> None:
    """SQLTrackerStore.save: the same rows, written with Core statements."""
    await self.stream_events(tracker)
    _, _, stored_count, add_events = _tracker_statements(self.SQLEvent.__table__)

    def write(sessions: Callable[[], Any]) -> None:
        with sessions() as session:
            sender = {"sender_id": plain_text(tracker.sender_id)}
            stored = session.execute(stored_count, sender).scalar()
            new = itertools.islice(tracker.events, int(stored or 0), len(tracker.events))
            rows = [_event_row(tracker.sender_id, event) for event in new]
            if rows:
                session.execute(add_events, rows)
            session.commit()

    await _run(self, write)


async def _run(store: SQLTrackerStore, work: Callable[[Callable[[], Any]], T]) -> T:
    """`work(sessions)` with the store's own sessions on the loop, as Rasa runs it; on an
    SQLite file, on the loop unless another connection holds a lock, else in a thread."""
    quick = getattr(store, QUICK_SESSIONS, None)
    if quick is None:
        return work(store.session_scope)
    return await on_loop_unless_locked(lambda: work(quick), lambda: work(store.sessionmaker))
