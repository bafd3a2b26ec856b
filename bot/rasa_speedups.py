"""Corrections to Rasa 3.6 internals that cost time on every message, without changing results.

Installed once per process by `install()`: the `channels` package calls it, so every
`rasa run` with our channels gets it (the load benchmark's baseline calls it too).
Measured with `python -m bot.bench.load`.

- Rasa checks each action server response with `jsonschema.validate`, which first checks
  the (constant) schema itself against the JSON Schema meta-schema: about 85 ms of CPU per
  custom action call, over half of the server's time per message. Here the schema is
  checked once and its validator reused; responses are validated exactly as before and a
  bad response raises the same ValidationError with the same message.
- Rasa's SQL tracker store on SQLite keeps SQLite's defaults: a rollback journal and a full
  sync, so every message's commit waits for the disk (about 7 ms here) with the event loop
  blocked, and (SQLAlchemy 1.4) a new connection for every session, several a message.
  Here its connections are pooled and use write-ahead logging with `synchronous=NORMAL`,
  as SQLite advises for WAL: still atomic and safe if the process crashes; only a power
  cut can lose the last commits. (PostgreSQL tracker stores are left as they are.)
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, wraps
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool

_INSTALLED = False


@lru_cache(maxsize=1)
def _action_response_validator() -> Any:
    from jsonschema import validators
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(self: Any, result: dict[str, Any]) -> bool:
    """RemoteAction._validate_action_result with the schema checked once per process."""
    from jsonschema import exceptions
    from rasa.core.actions.action import DOCS_BASE_URL

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


def install() -> None:
    """Apply the corrections (idempotent)."""
    global _INSTALLED
    if _INSTALLED:
        return
    from rasa.core.actions.action import RemoteAction
    from rasa.core.tracker_store import SQLTrackerStore

    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
    SQLTrackerStore.__init__ = _tracker_store_with_wal(  # type: ignore[method-assign]
        SQLTrackerStore.__init__
    )
    _INSTALLED = True
