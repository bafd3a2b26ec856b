"""Running short blocking database work from the event loop, per text or message.

An SQLite database is a file inside this process: a prepared statement takes about 0.1 ms,
less than handing it to a worker thread (about 0.15 ms of CPU, and, on a busy server, a wait
of milliseconds for the interpreter lock). Worker threads writing one SQLite file also queue
on its write lock, whose busy handler sleeps 1 to 100 ms between tries. So SQLite work runs
on the loop (as Rasa's own SQL tracker store does); a database server's, which may wait on
the network, runs in a thread. Measured with `python -m bot.bench.load` (README, "Speed").
Only for work of a few statements: reports and page queries stay in threads.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy.engine import Engine

P = ParamSpec("P")
T = TypeVar("T")


async def run_db(
    engine: Engine, work: Callable[Concatenate[Engine, P], T], *args: P.args, **kwargs: P.kwargs
) -> T:
    """`work(engine, *args, **kwargs)`: at once for SQLite, else in a worker thread."""
    if engine.dialect.name == "sqlite":
        return work(engine, *args, **kwargs)
    return await asyncio.to_thread(work, engine, *args, **kwargs)
