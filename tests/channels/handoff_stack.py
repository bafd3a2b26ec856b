"""The real stack for handoff tests: the action server and one or more `rasa run` servers
with the web chat, REST and staff queue channels, sharing one database, tracker store and
message bus (as a council runs several servers behind a load balancer)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.bench.stack import stop_servers
from tests import rasa_api
from tests.channels.web.conftest import PROJECT_ROOT, free_port, wait_for_http

RASA = str(PROJECT_ROOT / ".venv" / "bin" / "rasa")
MODEL = PROJECT_ROOT / "models" / "council.tar.gz"
STAFF_PASSWORD = "correct horse battery staple"
IN_HOURS = "2026-11-24T10:00:00"  # a Tuesday morning: advisers are in


@contextmanager
def handoff_stack(
    workdir: Path, database_url: str, servers: int = 1, bus_url: str = ""
) -> Iterator[list[str]]:
    """Start the action server and `servers` Rasa servers; yields their base URLs."""
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "DATABASE_URL": database_url,
        "TRACKER_DATABASE_URL": database_url
        if database_url.startswith("postgres")
        else f"sqlite:///{workdir / 'tracker.db'}",
        "MESSAGE_BUS_URL": bus_url,
        "STAFF_SECURE_COOKIES": "0",
        "ASSISTANT_FIXED_NOW": IN_HOURS,
        "CASE_SYSTEM": "local",
    }
    action_port = free_port()
    env["ACTION_SERVER_URL"] = f"http://127.0.0.1:{action_port}/webhook"
    endpoints, credentials = workdir / "endpoints.yml", workdir / "credentials.yml"
    subprocess.run(
        [sys.executable, "-m", "bot.endpoints", str(endpoints)],
        env=env,
        check=True,
        cwd=PROJECT_ROOT,
        capture_output=True,
    )
    # The project's own channels (REST, web chat, SMS outbox, staff queue), as `make run`.
    credentials.write_text((PROJECT_ROOT / "credentials.yml").read_text())
    log = (workdir / "servers.log").open("ab")
    processes = [
        subprocess.Popen(
            [RASA, "run", "actions", "--actions", "actions", "--port", str(action_port)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    ]
    bases: list[str] = []
    try:
        for _ in range(servers):
            port = free_port()
            processes.append(
                subprocess.Popen(
                    [
                        RASA,
                        "run",
                        *rasa_api.FLAGS,
                        "-m",
                        str(MODEL),
                        "--credentials",
                        str(credentials),
                        "--endpoints",
                        str(endpoints),
                        "--port",
                        str(port),
                        "--interface",
                        "127.0.0.1",
                    ],
                    cwd=PROJECT_ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
            bases.append(f"http://127.0.0.1:{port}")
        wait_for_http(f"http://127.0.0.1:{action_port}/health", processes[0], timeout=180)
        for base, process in zip(bases, processes[1:], strict=True):
            wait_for_http(rasa_api.url(base, "/status"), process, timeout=300)
        yield bases
    finally:
        stop_servers(*reversed(processes), timeout=20)
        log.close()
