"""Start the real `rasa run` (and, with a model, the action server) for end-to-end tests."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

from bot.bench.stack import stop_servers
from tests import rasa_api
from tests.channels.web.conftest import PROJECT_ROOT, free_port, wait_for_http

RASA = str(PROJECT_ROOT / ".venv" / "bin" / "rasa")


def newest_model() -> Path | None:
    """The newest trained model under models/, or None."""
    models = sorted((PROJECT_ROOT / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return models[-1] if models else None


@contextmanager
def rasa_server(
    workdir: Path,
    model: Path | None,
    notifications_database: str | None = None,
    api: bool = False,
) -> Iterator[str]:
    """Run Rasa with the web chat channel from a credentials file; yields its base URL.

    Without a model, `-m` points at an empty folder: the channel still loads.
    With one, the action server runs too and the tracker store is SQLite in `workdir`.
    With `api`, Rasa's HTTP API is on behind this test session's token (tests/rasa_api.py);
    without a model it always is (`rasa run` starts no other way).
    With `notifications_database` (a migrated database's URL, e.g. SQLite in `workdir`),
    the notifications channel loads too (the alerts feed, the scheduler once an hour),
    and the server's DATABASE_URL is that database.
    """
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "3",
    }
    rasa_port, action_port = free_port(), free_port()
    channels: dict = {"channels.web.channel.WebChatInput": {}, "rest": None}
    if notifications_database is not None:
        env["DATABASE_URL"] = notifications_database
        channels["channels.notifications.NotificationScheduler"] = {"interval_seconds": 3600}
    (workdir / "credentials.yml").write_text(yaml.safe_dump(channels))
    endpoints: dict = {
        "tracker_store": {"type": "SQL", "dialect": "sqlite", "db": str(workdir / "tracker.db")}
    }
    processes: list[subprocess.Popen[bytes]] = []
    log = (workdir / "servers.log").open("ab")
    try:
        if model is not None:
            endpoints["action_endpoint"] = {"url": f"http://127.0.0.1:{action_port}/webhook"}
            processes.append(
                subprocess.Popen(
                    [RASA, "run", "actions", "--actions", "actions", "--port", str(action_port)],
                    cwd=PROJECT_ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        (workdir / "endpoints.yml").write_text(yaml.safe_dump(endpoints))
        empty = workdir / "no-models"
        empty.mkdir(exist_ok=True)
        rasa = subprocess.Popen(
            # Without a model `rasa run` starts only with its API on: behind the token.
            [
                RASA,
                "run",
                *(rasa_api.FLAGS if api or not model else []),
                "-m",
                str(model or empty),
                "--credentials",
                str(workdir / "credentials.yml"),
                "--endpoints",
                str(workdir / "endpoints.yml"),
                "--port",
                str(rasa_port),
                "--interface",
                "127.0.0.1",
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        processes.append(rasa)
        base = f"http://127.0.0.1:{rasa_port}"
        wait_for_http(base + "/", rasa, timeout=240)  # /status answers 409 without a model
        if model is not None:
            wait_for_http(f"http://127.0.0.1:{action_port}/health", processes[0], timeout=120)
        yield base
    finally:
        stop_servers(*reversed(processes), timeout=20)
        log.close()
