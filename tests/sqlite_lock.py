"""Another process holding an SQLite database's write lock, as a cron job
(`python -m bot notify run-due`, `privacy retain`) holds it while it writes."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_HOLDER = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
print("held", flush=True)
time.sleep(float(sys.argv[2]))
connection.execute("COMMIT")
"""


@contextmanager
def write_lock_held(database: Path | str, seconds: float) -> Iterator[float]:
    """Within the block another process holds `database`'s write lock (BEGIN IMMEDIATE),
    releasing it `seconds` after it took it; yields the monotonic time it lets go."""
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(database), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        yield time.monotonic() + seconds
    finally:
        holder.wait(timeout=seconds + 30)


async def longest_pause(stop: asyncio.Event) -> float:
    """The longest the event loop went without running this task, until `stop` is set."""
    longest, last = 0.0, time.monotonic()
    while not stop.is_set():
        await asyncio.sleep(0.005)
        now = time.monotonic()
        longest, last = max(longest, now - last), now
    return longest
