"""Helpers for the staff application tests: a signed-in browser and a waiting ticket."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from sanic import Sanic
from sanic_testing.testing import SanicASGITestClient

from bot.db.session import session_scope
from bot.services import handoff
from bot.services.handoff import TranscriptTurn

PROJECT_ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "correct horse battery staple"
T0 = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)


def open_ticket(engine, conversation_id="conv-1", topic="council_tax_pay", channel="web") -> int:
    """A waiting ticket with a short transcript, opened now."""
    from bot.clock import now

    with session_scope(engine) as session:
        return handoff.open_ticket(
            session,
            conversation_id,
            channel,
            topic,
            "asked for a person",
            None,
            [
                TranscriptTurn("resident", "Can I pay my council tax late?", "council_tax_pay"),
                TranscriptTurn("bot", "You can pay online.", None),
                TranscriptTurn("resident", "I want a person", "request_human"),
            ],
            now=now(),
        ).id


class Browser:
    """One member of staff's client: its own cookie jar and CSRF token."""

    def __init__(self, app: Sanic) -> None:
        self.client = SanicASGITestClient(app)
        self.csrf = ""

    async def get(self, url: str, **kwargs):
        _, response = await self.client.get(url, **kwargs)
        return response

    async def post(self, url: str, data: dict | None = None, csrf: bool = True, **kwargs):
        form = dict(data or {})
        if csrf:
            form.setdefault("csrf_token", self.csrf)
        _, response = await self.client.post(url, data=form, **kwargs)
        return response

    async def api(self, method: str, url: str, body: dict | None = None, csrf: bool = True):
        headers = {"X-CSRF-Token": self.csrf} if csrf and self.csrf else {}
        _, response = await self.client.request(method, url, json=body, headers=headers)
        return response

    async def sign_in(self, username: str, password: str = PASSWORD):
        """Sign in through the form, as a browser would; keeps the page's CSRF token."""
        page = await self.get("/staff/sign-in")
        pre = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        response = await self.post(
            "/staff/sign-in", {"username": username, "password": password, "csrf_token": pre}
        )
        if response.status == 303:
            queue = await self.get("/staff/queue")
            self.csrf = re.search(r'name="csrf_token" value="([^"]+)"', queue.text).group(1)
        return response


@contextmanager
def serving(script: Path, *args: str) -> Iterator[str]:
    """Run the server `script` with `args` and a free loopback port as its last argument;
    yields its base URL once it accepts connections, and stops it afterwards."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, str(script), *args, str(port)],
        cwd=PROJECT_ROOT,
        env={"PYTHONPATH": str(PROJECT_ROOT), "PATH": "/usr/bin:/bin"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert time.monotonic() < deadline and process.poll() is None, (
                    "server did not start"
                )
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=15)
