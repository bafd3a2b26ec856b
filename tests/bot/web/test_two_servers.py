"""Two staff servers (separate OS processes on loopback) sharing PostgreSQL: a session from
one works on the other, and a claim or reply made on one reaches the live stream open on the
other and a resident's connection held by a third process, through PostgreSQL LISTEN/NOTIFY
and through Redis pub/sub."""

import asyncio
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from staff_browser import PASSWORD, open_ticket

from bot.services.message_bus import make_message_bus
from tests.bot.web.redis_server import redis_server

SERVER = Path(__file__).with_name("staff_server.py")
PROJECT_ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(database_url: str, bus_url: str, port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(SERVER), database_url, bus_url, str(port)],
        cwd=PROJECT_ROOT,
        env={"PYTHONPATH": str(PROJECT_ROOT), "PATH": "/usr/bin:/bin"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wait_for(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(process.stderr.read().decode()[-2000:])
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the staff server did not start")


@pytest.fixture(params=["postgres", "redis"])
def bus_url(request, database_url):
    """The bus between the servers: PostgreSQL LISTEN/NOTIFY on the database, or Redis."""
    if not database_url.startswith("postgres"):
        pytest.skip("several servers need PostgreSQL (SQLite has no cross-process bus)")
    if request.param == "postgres":
        yield database_url
        return
    with redis_server() as url:
        yield url


@pytest.fixture
def two_servers(database_url, bus_url, migrated_engine):
    ports = [_free_port(), _free_port()]
    processes = [_start(database_url, bus_url, port) for port in ports]
    try:
        for port, process in zip(ports, processes, strict=True):
            _wait_for(port, process)
        yield [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=15)


async def _sign_in(client: httpx.AsyncClient, username: str) -> str:
    token = (await client.get("/staff/api/session/csrf")).json()["csrf_token"]
    response = await client.post(
        "/staff/api/session",
        json={"username": username, "password": PASSWORD},
        headers={"X-CSRF-Token": token},
    )
    assert response.status_code == 200, response.text
    return response.json()["csrf_token"]


async def _next_queue_event(lines) -> dict:
    """The next event other than "changed", which each server's database watch also sends
    (bot/web/live.py), whenever its poll happens to fall."""
    async for line in lines:
        if line.startswith("data: "):
            event = json.loads(line[len("data: ") :])
            if event["kind"] != "changed":
                return event
    raise AssertionError("the event stream ended")


async def test_actions_on_one_server_reach_the_others(
    two_servers, bus_url, migrated_engine, accounts
):
    ticket = open_ticket(migrated_engine, "resident-on-server-c")
    server_a, server_b = two_servers

    # A third process holds the resident's connection: it hears of it through the bus.
    resident_bus = make_message_bus(bus_url)
    to_resident: asyncio.Queue = asyncio.Queue()
    await resident_bus.subscribe("resident.web", to_resident.put)

    async with httpx.AsyncClient(base_url=server_a, timeout=20) as on_a:
        csrf = await _sign_in(on_a, "ann")
        async with httpx.AsyncClient(base_url=server_b, timeout=20, cookies=on_a.cookies) as on_b:
            # The session made on server A is good on server B.
            assert (await on_b.get("/staff/api/tickets")).status_code == 200
            async with on_b.stream("GET", "/staff/events") as stream:
                assert stream.headers["content-type"].startswith("text/event-stream")
                lines = stream.aiter_lines()
                await asyncio.sleep(0.5)  # let server B's stream register
                claimed = await on_a.post(
                    f"/staff/api/tickets/{ticket}/claim", headers={"X-CSRF-Token": csrf}
                )
                assert claimed.status_code == 200
                event = await asyncio.wait_for(_next_queue_event(lines), 15)
                assert event == {"kind": "claim", "ticket_id": ticket}

        joined = await asyncio.wait_for(to_resident.get(), 15)
        assert joined["kind"] == "agent_joined"
        assert joined["conversation_id"] == "resident-on-server-c"
        reply = await on_a.post(
            f"/staff/api/tickets/{ticket}/reply",
            json={"text": "Hello from server A"},
            headers={"X-CSRF-Token": csrf},
        )
        assert reply.status_code == 200
        delivered = await asyncio.wait_for(to_resident.get(), 15)
        assert delivered == {
            "conversation_id": "resident-on-server-c",
            "kind": "staff_reply",
            "text": "Hello from server A",
        }
    await resident_bus.close()
