"""Memory and CPU time of server processes, from /proc (Linux), read while load runs."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from pathlib import Path

PROC = Path("/proc")


def status_kib(pid: int, field: str, proc: Path = PROC) -> int:
    """A `kB` field of /proc/<pid>/status (VmRSS, VmHWM...); 0 when the process is gone."""
    try:
        for line in (proc / str(pid) / "status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return 0
    return 0


def cpu_seconds(pid: int, proc: Path = PROC) -> float:
    """User plus system CPU time `pid` has used so far (0 when it is gone)."""
    try:
        fields = (proc / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def children(pid: int, proc: Path = PROC) -> list[int]:
    """The direct children of `pid` (over all its threads)."""
    found: list[int] = []
    for task in (proc / str(pid) / "task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return found


def tree_rss_kib(pid: int, proc: Path = PROC, field: str = "VmRSS") -> int:
    """`field` summed over `pid` and its descendants (a server may fork workers)."""
    total, todo = 0, [pid]
    seen: set[int] = set()
    while todo and len(seen) < 256:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        total += status_kib(current, field, proc)
        todo += children(current, proc)
    return total


class PeakRss:
    """Samples the RSS of named process trees every `interval` seconds; keeps the peak."""

    def __init__(self, pids: Mapping[str, int], interval: float = 0.25) -> None:
        self.pids = dict(pids)
        self.interval = interval
        self.peak_kib: dict[str, int] = {name: 0 for name in self.pids}
        self._task: asyncio.Task[None] | None = None

    def sample(self) -> None:
        for name, pid in self.pids.items():
            self.peak_kib[name] = max(self.peak_kib[name], tree_rss_kib(pid))

    async def _run(self) -> None:
        while True:
            self.sample()
            await asyncio.sleep(self.interval)

    def __enter__(self) -> PeakRss:
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    def __exit__(self, *_: object) -> None:
        if self._task is not None:
            self._task.cancel()
        self.sample()

    def peak_mb(self) -> dict[str, float]:
        """The peak per name, in MiB."""
        return {name: round(kib / 1024, 1) for name, kib in self.peak_kib.items()}
