"""Reading server memory and CPU time from /proc for the load benchmark."""

from __future__ import annotations

import os
import subprocess
import sys

from bot.bench.memory import cpu_seconds, status_kib, tree_rss_kib


def test_a_process_tree_counts_its_children_memory() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        own = status_kib(os.getpid(), "VmRSS")
        for _ in range(50):  # the child needs a moment to show up
            if tree_rss_kib(os.getpid()) > own:
                break
            subprocess.run(["sleep", "0.05"], check=True)
        assert own > 1000
        assert tree_rss_kib(os.getpid()) >= own + status_kib(child.pid, "VmRSS") // 2
    finally:
        child.kill()
        child.wait()


def test_a_gone_process_reads_as_zero() -> None:
    assert status_kib(2**22 + 7, "VmRSS") == 0
    assert cpu_seconds(2**22 + 7) == 0.0


def test_cpu_time_grows_with_work() -> None:
    before = cpu_seconds(os.getpid())
    sum(i * i for i in range(3_000_000))
    assert cpu_seconds(os.getpid()) > before
