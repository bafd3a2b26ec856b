"""Running short blocking database work from the event loop, per text or message.

An SQLite database is a file inside this process: a prepared statement takes about 0.1 ms,
less than handing it to a worker thread (about 0.15 ms of CPU, and, on a busy server, a wait
of milliseconds for the interpreter lock). So SQLite work is tried on the loop first, as
Rasa's own SQL tracker store does, but through a connection that never waits for a lock:
when another connection or process holds SQLite's write lock (a cron `notify run-due`, a
`privacy retain`), the attempt fails at once, is rolled back, and the same work runs again
in a worker thread that waits for the lock as long as the engine's busy timeout allows. No
other conversation waits meanwhile. A database server's work, which may wait on the
network, always runs in a thread. Measured with `python -m bot.bench.load` (README, "Speed").
Only for work of a few statements, each call one transaction (so trying again is safe):
reports and page queries stay in threads.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Concatenate, ParamSpec, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from bot.db.session import make_engine

P = ParamSpec("P")
T = TypeVar("T")

_LOCK_WAITS = ThreadPoolExecutor(max_workers=8, thread_name_prefix="sqlite-lock-wait")
_IMPATIENT: WeakKeyDictionary[Engine, Engine] = WeakKeyDictionary()
_IMPATIENT_LOCK = threading.Lock()


def waited_for_lock(error: BaseException) -> bool:
    """Whether `error` is SQLite saying another connection holds a lock it needed."""
    return isinstance(error, OperationalError) and "database is locked" in str(error.orig)


def impatient_engine(engine: Engine) -> Engine:
    """A second engine on `engine`'s SQLite file whose connections never wait for a lock
    (busy timeout 0), set up as `make_engine` sets up its own; made once per engine."""
    found = _IMPATIENT.get(engine)
    if found is None:
        with _IMPATIENT_LOCK:
            found = _IMPATIENT.get(engine)
            if found is None:
                found = _IMPATIENT[engine] = _sibling_without_busy_wait(engine)
    return found


def _sibling_without_busy_wait(engine: Engine) -> Engine:
    if engine.url.database in (None, "", ":memory:"):
        return engine  # a database of this connection alone: no other holds its locks
    return make_engine(engine.url.render_as_string(hide_password=False), busy_timeout=0)


async def on_loop_unless_locked(quick: Callable[[], T], patient: Callable[[], T]) -> T:
    """`quick()` here on the loop (its SQLite connections must not wait for locks); when it
    fails because another connection holds a lock, `patient()` in a worker thread."""
    try:
        return quick()
    except OperationalError as error:
        if not waited_for_lock(error):
            raise
    # Threads of their own: waits of up to the busy timeout do not hold up the default
    # executor's threads (staff pages, reports).
    return await asyncio.get_running_loop().run_in_executor(_LOCK_WAITS, patient)


async def run_db(
    engine: Engine, work: Callable[Concatenate[Engine, P], T], *args: P.args, **kwargs: P.kwargs
) -> T:
    """`work(engine, *args, **kwargs)`: for SQLite at once when no lock is held, else (and
    for other databases) in a worker thread."""
    if engine.dialect.name == "sqlite":
        return await on_loop_unless_locked(
            lambda: work(impatient_engine(engine), *args, **kwargs),
            lambda: work(engine, *args, **kwargs),
        )
    return await asyncio.to_thread(work, engine, *args, **kwargs)
