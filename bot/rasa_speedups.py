"""Corrections to Rasa 3.6 internals that cost time on every message, without changing results.

Installed once per process by `install()`: the `channels` package calls it, so every
`rasa run` with our channels gets it (the load benchmark's baseline calls it too).
Measured with `python -m bot.bench.load`.

- Rasa checks each action server response with `jsonschema.validate`, which first checks
  the (constant) schema itself against the JSON Schema meta-schema: about 85 ms of CPU per
  custom action call, over half of the server's time per message. Here the schema is
  checked once and its validator reused; responses are validated exactly as before and a
  bad response raises the same ValidationError with the same message. Each event is first
  checked against its own type's part of the schema (its `oneOf` has 23 alternatives, one
  per event name, and every failed try builds an error): 0.84 -> 0.10 ms a response, about
  1.5 responses a message; the full check runs only when that finds a fault.
- Rasa's SQL tracker store on SQLite keeps SQLite's defaults: a rollback journal and a full
  sync, so every message's commit waits for the disk (about 7 ms here) with the event loop
  blocked, and (SQLAlchemy 1.4) a new connection for every session, several a message.
  Here its connections are pooled and use write-ahead logging with `synchronous=NORMAL`,
  as SQLite advises for WAL: still atomic and safe if the process crashes; only a power
  cut can lose the last commits. (PostgreSQL tracker stores are left as they are.)
- Rasa's SQL tracker store saves a turn's events through the ORM (a unit of work and a
  count wrapped in a subquery): about 2 ms of CPU a message. Here the same count and the same
  rows are written with Core statements in the same session and transaction.
- It reads a conversation back as whole ORM objects, every column, to use one: about
  1 ms a message. Here the same rows' stored JSON is read with a Core select.
- Rasa opens a new HTTP client session, so a new TCP connection, for every call to the
  action server (`EndpointConfig.request`): about 2 ms of CPU a message. Here each endpoint
  keeps one session per event loop, with the same headers, auth and timeout, and idle
  connections dropped after 2 s (before Sanic's 5 s keep-alive closes them from the other
  end). Requests, responses and errors are exactly as before.
- Reading a conversation back, Rasa finds each event's class by walking every subclass of
  Event (a recursive list built afresh per event): about 1 ms a message. Here a class found
  is remembered by its type name; unknown names go to Rasa's own walk, as before.
- The tracker store's statements (and SQLAlchemy's cache key for each) were built anew for
  every read and save; here they are built once per events table with a bound sender id.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import weakref
from collections.abc import Callable
from functools import lru_cache, wraps
from typing import Any

import aiohttp
from sqlalchemy import bindparam, create_engine, event, func, insert, or_, select
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool

_INSTALLED = False
RASA_SAVE: Any = None  # Rasa's own SQLTrackerStore.save, once replaced
RASA_RETRIEVE: Any = None  # and its own SQLTrackerStore._retrieve


@lru_cache(maxsize=1)
def _action_response_validator() -> Any:
    from jsonschema import validators
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@lru_cache(maxsize=1)
def _validators_by_event() -> tuple[Any, dict[str, Any]] | None:
    """The response schema split so that each event is checked against its own type only:
    a validator for the response without its events' schema, and one per event name for
    the event schema with its `oneOf` cut to the one alternative whose `event` is that
    name. Every alternative fixes `event` to a different constant, so the others cannot
    match: the verdict is the same, without trying 23 alternatives per event (each failure
    builds an error). None if the schema is not of that shape."""
    from rasa.core.actions.action import RemoteAction

    schema = copy.deepcopy(RemoteAction.action_response_format_spec())
    cls = type(_action_response_validator())
    items = schema.get("properties", {}).get("events", {}).pop("items", None)
    alternatives = items.get("oneOf") if isinstance(items, dict) else None
    if not isinstance(alternatives, list):
        return None
    names = [alt.get("properties", {}).get("event", {}).get("const") for alt in alternatives]
    if not all(isinstance(name, str) for name in names) or len(set(names)) != len(names):
        return None
    common = {key: value for key, value in items.items() if key != "oneOf"}
    by_name = {
        name: cls({**common, "oneOf": [alt]}) for name, alt in zip(names, alternatives, strict=True)
    }
    return cls(schema), by_name


def _surely_valid(result: Any) -> bool:
    """True only when the full schema would accept `result` (False: ask the full schema)."""
    split = _validators_by_event()
    if split is None or not isinstance(result, dict):
        return False
    outer, by_name = split
    if not outer.is_valid(result):
        return False
    for item in result.get("events") or []:
        name = item.get("event") if isinstance(item, dict) else None
        validator = by_name.get(name) if isinstance(name, str) else None
        if validator is None or not validator.is_valid(item):
            return False
    return True


def validate_action_result(self: Any, result: dict[str, Any]) -> bool:
    """RemoteAction._validate_action_result with the schema checked once per process, and
    each event checked against its own type's schema first (the full check, for the same
    error as Rasa's, only when that finds a fault)."""
    from jsonschema import exceptions
    from rasa.core.actions.action import DOCS_BASE_URL

    if _surely_valid(result):
        return True
    error = exceptions.best_match(_action_response_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, "
        "make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


def _sqlite_wal(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _tracker_store_with_wal(original: Callable[..., None]) -> Callable[..., None]:
    @wraps(original)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        if self.engine.dialect.name != "sqlite":
            return
        url = self.engine.url
        if url.database not in (None, "", ":memory:"):
            # SQLAlchemy 1.4 opens a new SQLite file connection per session: keep a pool.
            self.engine.dispose()
            self.engine = create_engine(
                url, poolclass=QueuePool, connect_args={"check_same_thread": False}
            )
            self.sessionmaker = sessionmaker(bind=self.engine)
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
    self: Any, sender_id: str, fetch_events_from_all_sessions: bool
) -> Any:
    """SQLTrackerStore._retrieve: the same events, read as their stored JSON only."""
    from rasa.shared.core.trackers import DialogueStateTracker

    every_event, this_session, _, _ = _tracker_statements(self.SQLEvent.__table__)
    query = every_event if fetch_events_from_all_sessions else this_session
    with self.session_scope() as session:
        stored = session.execute(query, {"sender_id": sender_id}).scalars().all()
    events = [json.loads(data) for data in stored]
    if self.domain and events:
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
    return None


def _event_row(sender_id: str, event: Any) -> dict[str, Any]:
    """The row Rasa's `SQLTrackerStore.save` stores for `event`."""
    from rasa.shared.nlu.constants import INTENT_NAME_KEY

    data = event.as_dict()
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }


async def save_tracker_with_core(self: Any, tracker: Any) -> None:
    """SQLTrackerStore.save: the same rows, written with Core statements."""
    await self.stream_events(tracker)
    _, _, stored_count, add_events = _tracker_statements(self.SQLEvent.__table__)
    with self.session_scope() as session:
        stored = session.execute(stored_count, {"sender_id": tracker.sender_id}).scalar()
        new = itertools.islice(tracker.events, int(stored or 0), len(tracker.events))
        rows = [_event_row(tracker.sender_id, event) for event in new]
        if rows:
            session.execute(add_events, rows)
        session.commit()


def resolve_event_class(type_name: str, default: Any = None) -> Any:
    """Event.resolve_by_type, remembering the classes found: Rasa walks every subclass of
    Event (a recursive list, rebuilt each time) for each event it reads back."""
    found = _EVENT_CLASSES.get(type_name)
    if found is not None:
        return found
    found = RASA_RESOLVE_EVENT(type_name, default)
    if found is not None and found is not default:
        _EVENT_CLASSES[type_name] = found
    return found


_EVENT_CLASSES: dict[str, Any] = {}
RASA_RESOLVE_EVENT: Any = None  # Rasa's own Event.resolve_by_type, once replaced


KEEP_ALIVE_SECONDS = 2.0


class _KeptSession:
    """For `async with endpoint.session() as session`: the kept session, left open after."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self._session

    async def __aexit__(self, *_exc: Any) -> None:
        return None


# Per event loop, per endpoint: the loop's sessions go when the loop does.
_SESSIONS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, Any]] = (
    weakref.WeakKeyDictionary()
)


def _new_session(endpoint: Any) -> aiohttp.ClientSession:
    """A session as Rasa's `EndpointConfig.session` makes it, for keeping."""
    from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT

    auth = endpoint.basic_auth
    return aiohttp.ClientSession(
        headers=endpoint.headers,
        auth=aiohttp.BasicAuth(auth["username"], auth["password"]) if auth else None,
        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        connector=aiohttp.TCPConnector(keepalive_timeout=KEEP_ALIVE_SECONDS),
        cookie_jar=aiohttp.DummyCookieJar(),  # each request stands alone, as before
    )


def _kept_session(original: Callable[[Any], aiohttp.ClientSession]) -> Callable[[Any], Any]:
    @wraps(original)
    def session(self: Any) -> Any:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # called outside a loop: Rasa's own behaviour
            return original(self)
        sessions = _SESSIONS.setdefault(loop, {})
        kept = sessions.get(id(self))  # (endpoint, session): the endpoint is held, so is its id
        if kept is None or kept[1].closed:
            kept = sessions[id(self)] = (self, _new_session(self))
        return _KeptSession(kept[1])

    return session


async def close_kept_sessions() -> None:
    """Close this loop's kept sessions (a server stopping calls it)."""
    sessions = _SESSIONS.pop(asyncio.get_running_loop(), {})
    for _endpoint, session in sessions.values():
        await session.close()


def install() -> None:
    """Apply the corrections (idempotent)."""
    global _INSTALLED
    if _INSTALLED:
        return
    from rasa.core.actions.action import RemoteAction
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.events import Event
    from rasa.utils.endpoints import EndpointConfig

    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
    SQLTrackerStore.__init__ = _tracker_store_with_wal(  # type: ignore[method-assign]
        SQLTrackerStore.__init__
    )
    global RASA_SAVE, RASA_RETRIEVE
    RASA_SAVE, RASA_RETRIEVE = SQLTrackerStore.save, SQLTrackerStore._retrieve  # for the tests
    SQLTrackerStore.save = save_tracker_with_core  # type: ignore[method-assign]
    SQLTrackerStore._retrieve = retrieve_tracker_with_core  # type: ignore[method-assign]
    EndpointConfig.session = _kept_session(EndpointConfig.session)  # type: ignore[method-assign]
    global RASA_RESOLVE_EVENT
    RASA_RESOLVE_EVENT = Event.resolve_by_type
    Event.resolve_by_type = staticmethod(resolve_event_class)  # type: ignore[assignment]
    _INSTALLED = True
