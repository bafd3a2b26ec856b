"""A real staff server (tests/bot/web/staff_server.py) in its own process on loopback, with
chosen settings in its environment, and a browser-like httpx client for it."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from staff_browser import PASSWORD

SERVER = Path(__file__).with_name("staff_server.py")
PROJECT_ROOT = Path(__file__).resolve().parents[3]


@contextmanager
def staff_server(database_url: str, scheme: str = "http", **env: str) -> Iterator[str]:
    """Start the staff server on a free loopback port; yields its base URL; stops it after."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, str(SERVER), database_url, "", str(port)],
        cwd=PROJECT_ROOT,
        env={"PYTHONPATH": str(PROJECT_ROOT), "PATH": os.environ.get("PATH", ""), **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise AssertionError(process.stderr.read().decode()[-2000:])
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "the staff server did not start"
                time.sleep(0.1)
        yield f"{scheme}://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=15)


def sign_in(
    client: httpx.Client, username: str, password: str = PASSWORD, forwarded_for: str = ""
) -> httpx.Response:
    """Sign in through the form as a browser would, optionally through a proxy that says
    whom it is forwarding for."""
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    page = client.get("/staff/sign-in", headers=headers)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, page.text
    return client.post(
        "/staff/sign-in",
        data={"username": username, "password": password, "csrf_token": token.group(1)},
        headers=headers,
    )
