"""Database work off the event loop: each call runs in a worker thread, in one transaction."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.db.session import session_scope

T = TypeVar("T")


async def in_session(engine: Engine, work: Callable[[Session], T]) -> T:
    """Run `work(session)` in a thread; commits if it returns, rolls back if it raises."""

    def run() -> T:
        with session_scope(engine) as session:
            return work(session)

    return await asyncio.to_thread(run)
