"""The real stack with an action server the tests can stop, hang and bring back.

`ActionDownStack`: a migrated SQLite database with the demo council, the real action server
and one `rasa run` with the project's channels (REST, web chat, SMS outbox, staff queue),
on loopback. The action server can be killed (`kill_actions`: connection refused), paused
with SIGSTOP (`pause_actions`: it accepts connections and never answers), replaced by a
loopback socket that accepts and never answers (`hang_with_silent_socket`), and started or
resumed again on the same port.
"""

from __future__ import annotations

import http.server
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.bench.stack import stop_servers
from bot.demo_data import prepare_demo_database
from tests import rasa_api
from tests.channels.handoff_stack import IN_HOURS, MODEL, RASA
from tests.channels.web.conftest import PROJECT_ROOT, free_port, wait_for_http

# Short, so the tests do not wait long; the default (bot/settings.py) is 10 s.
TIMEOUT_SECONDS = 3.0


class SilentSocket:
    """A loopback TCP server that accepts connections and never answers them."""

    def __init__(self, port: int) -> None:
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", port))
        self.listener.listen(16)
        self.accepted: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.accepted.append(connection)

    def close(self) -> None:
        self.listener.close()
        for connection in self.accepted:
            connection.close()


class _ReusingServer(http.server.ThreadingHTTPServer):
    allow_reuse_address = True  # the killed action server's port, at once
    daemon_threads = True


class BrokenActionServer:
    """A loopback HTTP server in the action server's place that answers every call with
    `status` and `body` (an HTTP 500, or a 200 whose JSON is not what Rasa expects)."""

    def __init__(self, port: int, status: int, body: bytes) -> None:
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the standard library's name)
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: object) -> None:
                return None

        self.server = _ReusingServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class DyingProxy:
    """On the action server's port, in front of a real action server: calls pass through
    to it, but a call to run one of `fail` gets its connection dropped with no answer (as
    when the action server dies during a turn)."""

    def __init__(self, port: int, upstream: str, fail: set[str]) -> None:
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the standard library's name)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if json.loads(body).get("next_action") in fail:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                request = urllib.request.Request(
                    upstream + self.path,
                    data=body,
                    method="POST",
                    headers={"Content-Type": "application/json"},
                )
                with urllib.request.urlopen(request, timeout=30) as answer:
                    reply = answer.read()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *_args: object) -> None:
                return None

        self.server = _ReusingServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class ActionDownStack:
    """The servers, with the action server under the test's control."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.database_url = f"sqlite:///{workdir / 'council.db'}"
        self.action_port, self.port = free_port(), free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "PYTHONPATH": str(PROJECT_ROOT),
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "DATABASE_URL": self.database_url,
            "TRACKER_DATABASE_URL": f"sqlite:///{workdir / 'tracker.db'}",
            "MESSAGE_BUS_URL": "",
            "STAFF_SECURE_COOKIES": "0",
            "SANIC_HOST": "127.0.0.1",
            "ASSISTANT_FIXED_NOW": IN_HOURS,
            "CASE_SYSTEM": "local",
            "ACTION_SERVER_URL": f"http://127.0.0.1:{self.action_port}/webhook",
            "ACTION_SERVER_TIMEOUT_SECONDS": str(TIMEOUT_SECONDS),
        }
        self.log = (workdir / "servers.log").open("ab")
        self.actions: subprocess.Popen[bytes] | None = None
        self.rasa: subprocess.Popen[bytes] | None = None
        self.silent: SilentSocket | BrokenActionServer | DyingProxy | None = None
        self.upstream: subprocess.Popen[bytes] | None = None  # behind a DyingProxy
        self.paused = False

    def start(self) -> None:
        prepare_demo_database(self.database_url)
        endpoints, credentials = self.workdir / "endpoints.yml", self.workdir / "credentials.yml"
        subprocess.run(
            [sys.executable, "-m", "bot.endpoints", str(endpoints)],
            env=self.env,
            check=True,
            cwd=PROJECT_ROOT,
            capture_output=True,
        )
        credentials.write_text((PROJECT_ROOT / "credentials.yml").read_text())
        self.start_actions(wait=False)
        self.rasa = subprocess.Popen(
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
                str(self.port),
                "--interface",
                "127.0.0.1",
            ],
            cwd=PROJECT_ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self._wait_for_actions()
        wait_for_http(rasa_api.url(self.base, "/status"), self.rasa, timeout=300)

    def start_actions(self, wait: bool = True) -> None:
        """Start the real action server on its port (after `kill_actions`)."""
        self.actions = self._action_server(self.action_port)
        if wait:
            self._wait_for_actions()

    def _action_server(self, port: int) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [RASA, "run", "actions", "--actions", "actions", "--port", str(port)],
            cwd=PROJECT_ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def die_on(self, *actions: str) -> None:
        """The real action server (on another port) behind a `DyingProxy` for `actions`."""
        self.kill_actions()
        port = free_port()
        self.upstream = self._action_server(port)
        wait_for_http(f"http://127.0.0.1:{port}/health", self.upstream, timeout=180)
        self.silent = DyingProxy(self.action_port, f"http://127.0.0.1:{port}", set(actions))

    def _wait_for_actions(self) -> None:
        assert self.actions is not None
        wait_for_http(f"http://127.0.0.1:{self.action_port}/health", self.actions, timeout=180)

    def kill_actions(self) -> None:
        """Kill the action server: calls to it are refused."""
        assert self.actions is not None
        self.actions.kill()
        self.actions.wait(timeout=30)

    def pause_actions(self) -> None:
        """Stop the action server's process (SIGSTOP): it accepts and never answers."""
        assert self.actions is not None
        self.actions.send_signal(signal.SIGSTOP)
        self.paused = True

    def resume_actions(self) -> None:
        assert self.actions is not None
        self.actions.send_signal(signal.SIGCONT)
        self.paused = False

    def hang_with_silent_socket(self) -> None:
        """Kill the action server and listen on its port without ever answering."""
        self.kill_actions()
        self.silent = SilentSocket(self.action_port)

    def answer_with(self, status: int, body: bytes) -> None:
        """Kill the action server and answer its calls with `status` and `body`."""
        self.kill_actions()
        self.silent = BrokenActionServer(self.action_port, status, body)

    @contextmanager
    def tickets_unavailable(self) -> Iterator[None]:
        """The handoff tickets' table out of reach (renamed): every query of it fails."""
        with sqlite3.connect(self.workdir / "council.db", timeout=30) as db:
            db.execute("ALTER TABLE handoff_tickets RENAME TO handoff_tickets_away")
        try:
            yield
        finally:
            with sqlite3.connect(self.workdir / "council.db", timeout=30) as db:
                db.execute("ALTER TABLE handoff_tickets_away RENAME TO handoff_tickets")

    def make_healthy(self) -> None:
        """Whatever a test did, leave the real action server running and answering."""
        if self.silent is not None:
            self.silent.close()
            self.silent = None
        if self.upstream is not None:
            stop_servers(self.upstream)
            self.upstream = None
        if self.paused:
            self.resume_actions()
        if self.actions is None or self.actions.poll() is not None:
            self.start_actions()

    def stop(self) -> None:
        if self.paused:
            self.resume_actions()
        if self.silent is not None:
            self.silent.close()
        servers = (self.rasa, self.actions, self.upstream)
        stop_servers(*[p for p in servers if p is not None], timeout=20)
        self.log.close()


@contextmanager
def action_down_stack(workdir: Path) -> Iterator[ActionDownStack]:
    """Start the stack; stop every server it started on exit."""
    stack = ActionDownStack(workdir)
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()
