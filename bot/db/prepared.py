"""Core statements compiled once and run straight on one DB-API connection an engine keeps.

For the few writes every text message makes on SQLite (run on the event loop, see
`bot.db.calls`): SQLAlchemy's work around each transaction (pool checkout, `begin`,
commit, result objects) costs about three times SQLite's own work for them (the SMS claim:
0.14 ms against 0.035 ms in a quiet loop). Here SQLAlchemy still writes the SQL (compiled
once for the engine's dialect) and converts every value with its own bind and result
processors, so what is stored and read back is exactly what SQLAlchemy would store and read;
only the per-call machinery is skipped. DB-API errors are raised as SQLAlchemy's own
exceptions (`IntegrityError` and so on), as `Connection.execute` raises them.

It reaches into SQLAlchemy's compiler (`positiontup`, `bind_processor`, the pool's
`detach`), so it is fenced like the Rasa patches: `DB_STATEMENT_CACHE=off` runs the same
statements through SQLAlchemy as usual (as on PostgreSQL), and the choice is logged.
"""

from __future__ import annotations

import logging
import threading
from collections import namedtuple
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.exc import DBAPIError, MultipleResultsFound, NoResultFound
from sqlalchemy.sql import Executable
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.elements import BindParameter

from bot.settings import get_settings

logger = logging.getLogger(__name__)

Processor = Callable[[Any], Any] | None


class PreparedStatement:
    """One statement compiled for one dialect, with its value conversions in order."""

    def __init__(
        self, statement: Executable, dialect: Dialect, column_keys: Sequence[str] | None = None
    ) -> None:
        compiled = statement.compile(dialect=dialect, column_keys=list(column_keys or []) or None)
        if compiled.positiontup is None:
            raise ValueError(f"{dialect.name} does not take positional parameters")
        defaulted = [column.key for column in compiled.insert_prefetch + compiled.update_prefetch]
        if defaulted:  # SQLAlchemy would run their defaults in Python for each execution
            raise ValueError(f"give a value for each column with a default: {defaulted}")
        self.sql = str(compiled)
        self._binds: list[tuple[str, BindParameter[Any], Processor]] = [
            (name, bind, bind.type.dialect_impl(dialect).bind_processor(dialect))
            for name in compiled.positiontup
            for bind in (compiled.binds[name],)
        ]
        columns = list(getattr(statement, "selected_columns", []))
        self._results: list[Processor] = [
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
        ]
        self.row_type = namedtuple(  # type: ignore[misc]
            "Row", [column.key for column in columns] or ["_"], rename=True
        )

    def parameters(self, values: Mapping[str, Any]) -> tuple[Any, ...]:
        """The DB-API parameters for `values` (a bound name missing from them is an error)."""
        converted = []
        for name, bind, process in self._binds:
            if name in values:
                value = values[name]
            elif bind.required:
                raise KeyError(f"no value for the bound parameter {name!r}")
            else:
                value = bind.effective_value
            converted.append(process(value) if process is not None else value)
        return tuple(converted)

    def row(self, raw: Sequence[Any]) -> Any:
        """A fetched row with each column converted, as a named tuple."""
        return self.row_type(
            *(
                value if process is None else process(value)
                for value, process in zip(raw, self._results, strict=True)
            )
        )


class KeptTransaction:
    """Statements run inside one transaction of a `KeptConnection`."""

    def __init__(self, kept: KeptConnection) -> None:
        self._kept = kept

    def one(self, statement: Executable, values: Mapping[str, Any]) -> Any:
        """The one row `statement` returns (SQLAlchemy's errors when it returns none or more)."""
        prepared, rows = self._execute(statement, values, fetch=True)
        if not rows:
            raise NoResultFound("No row was found when one was required")
        if len(rows) > 1:
            raise MultipleResultsFound("Multiple rows were found when exactly one was required")
        return prepared.row(rows[0])

    def run(self, statement: Executable, values: Mapping[str, Any]) -> int | None:
        """Run an INSERT, UPDATE or DELETE; the new row's id for an INSERT into a table
        with an integer key (the DB-API's `lastrowid`)."""
        return self._execute(statement, values, fetch=False)[1]

    def _execute(
        self, statement: Executable, values: Mapping[str, Any], *, fetch: bool
    ) -> tuple[PreparedStatement, Any]:
        # An INSERT's SQL names the columns given; other statements' SQL is fixed.
        columns = tuple(values) if isinstance(statement, Insert) else ()
        prepared: PreparedStatement | None = None
        parameters: Any = values
        try:
            prepared = self._kept.prepared(statement, columns)
            parameters = prepared.parameters(values)
            cursor = self._kept.dbapi_connection.cursor()
            try:
                cursor.execute(prepared.sql, parameters)
                # All rows are fetched at once: no statement is left open holding a snapshot.
                return prepared, cursor.fetchall() if fetch else cursor.lastrowid
            finally:
                cursor.close()
        except Exception as error:
            # As `Connection.execute` raises them: a DB-API error as SQLAlchemy's class for
            # it, any other (a value refused while converting it) as a `StatementError`.
            raise DBAPIError.instance(
                prepared.sql if prepared is not None else str(statement),
                parameters,
                error,
                self._kept.dialect.dbapi.Error,  # type: ignore[union-attr]
                dialect=self._kept.dialect,
            ) from error


class KeptConnection:
    """One DB-API connection opened by an engine's pool, kept for short transactions.

    Used by one thread at a time (a lock); meant for the event loop's thread, where SQLite
    work runs. A transaction is begun by the driver at the first write, as SQLAlchemy's
    `pysqlite` dialect leaves it to, and committed (or rolled back) at the end of the block.
    """

    def __init__(self, engine: Engine) -> None:
        self.dialect = engine.dialect
        pooled = engine.raw_connection()  # opened by the pool, so with the engine's settings
        # Taken out of the pool (which holds the engine): the connection is closed when the
        # engine is dropped, as `kept_connection` keeps it only as long as the engine lives.
        pooled.detach()
        self.dbapi_connection = pooled.dbapi_connection
        self._lock = threading.Lock()
        self._statements: dict[tuple[Executable, tuple[str, ...]], PreparedStatement] = {}

    def prepared(self, statement: Executable, column_keys: tuple[str, ...]) -> PreparedStatement:
        """`statement` compiled for this connection's dialect (once; an INSERT per set of
        columns given)."""
        key = (statement, column_keys)
        found = self._statements.get(key)
        if found is None:
            found = self._statements[key] = PreparedStatement(statement, self.dialect, column_keys)
        return found

    @contextmanager
    def transaction(self) -> Iterator[KeptTransaction]:
        """A transaction: committed when the block ends, rolled back if it raises."""
        with self._lock:
            try:
                yield KeptTransaction(self)
            except BaseException:
                self.dbapi_connection.rollback()
                raise
            self.dbapi_connection.commit()


_KEPT: WeakKeyDictionary[Engine, KeptConnection] = WeakKeyDictionary()
_KEPT_LOCK = threading.Lock()


def kept_connection(engine: Engine) -> KeptConnection:
    """The connection `engine` keeps for prepared statements (opened at first use)."""
    kept = _KEPT.get(engine)
    if kept is None:
        with _KEPT_LOCK:
            kept = _KEPT.get(engine)
            if kept is None:
                kept = _KEPT[engine] = KeptConnection(engine)
    return kept


class ConnectionTransaction:
    """`KeptTransaction`'s two calls on a SQLAlchemy connection inside `engine.begin()`."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def one(self, statement: Executable, values: Mapping[str, Any]) -> Any:
        return self._connection.execute(statement, values).one()

    def run(self, statement: Executable, values: Mapping[str, Any]) -> int | None:
        result = self._connection.execute(statement, values)
        return result.inserted_primary_key[0] if isinstance(statement, Insert) else None


Transaction = KeptTransaction | ConnectionTransaction


_CACHE_NOTED: set[bool] = set()


def statement_cache_on() -> bool:
    """DB_STATEMENT_CACHE is not "off" (logged once per process and value)."""
    on = get_settings().db_statement_cache_on
    if on not in _CACHE_NOTED:
        _CACHE_NOTED.add(on)
        state = "on (bot/db/prepared.py)" if on else "off (DB_STATEMENT_CACHE=off)"
        logger.info("SQLite statement cache: %s", state)
    return on


@contextmanager
def short_transaction(engine: Engine) -> Iterator[Transaction]:
    """A transaction for a few prepared statements, run where `bot.db.calls.run_db` runs
    them: on SQLite through the engine's kept connection (unless DB_STATEMENT_CACHE=off),
    elsewhere through SQLAlchemy (a database server's connection is used from worker
    threads, one at a time each)."""
    if engine.dialect.name == "sqlite" and statement_cache_on():
        with kept_connection(engine).transaction() as kept:
            yield kept
        return
    with engine.begin() as connection:
        yield ConnectionTransaction(connection)
