"""Fixtures for the web chat channel: a real server on loopback, a real browser.

- `chat_server` (per module) / `fresh_chat_server` (per test): the echo server
  (echo_server.py) in a subprocess on a free port;
  its value has `.base` ("http://127.0.0.1:PORT/webhooks/webchat"), `.ws_url(session)`
  and `.restart()` (stop and start again on the same port and tracker database).
- `browser` (per module): Debian's chromium driven by Playwright (skipped if
  /usr/bin/chromium is missing).
- `ARTIFACTS`: where screenshots go (test-artifacts/, gitignored).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_http(url: str, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server at {url} did not start in {timeout}s")


@dataclass
class ChatServer:
    port: int
    tracker_db: Path
    log: Path
    process: subprocess.Popen[bytes] | None = field(default=None)
    env: dict[str, str] = field(default_factory=dict)  # settings for this server

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhooks/webchat"

    def ws_url(self, session: str) -> str:
        return f"ws://127.0.0.1:{self.port}/webhooks/webchat/ws?session={session}"

    def start(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), **self.env}
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    str(Path(__file__).with_name("echo_server.py")),
                    str(self.port),
                    str(self.tracker_db),
                ],
                cwd=PROJECT_ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_for_http(self.base + "/", self.process)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()


def _serve(directory: Path, env: dict[str, str] | None = None) -> Iterator[ChatServer]:
    server = ChatServer(
        free_port(), directory / "tracker.db", directory / "server.log", env=env or {}
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def chat_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChatServer]:
    """An echo chat server shared by a test module (each test uses its own session ids)."""
    yield from _serve(tmp_path_factory.mktemp("chat"))


@pytest.fixture
def fresh_chat_server(tmp_path: Path) -> Iterator[ChatServer]:
    """An echo chat server of one test's own (for tests that restart it)."""
    yield from _serve(tmp_path)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless Debian chromium through Playwright (never downloads a browser).

    Module-scoped: sync Playwright keeps an event loop running in the main thread,
    which async tests in later modules cannot share.
    """
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()
