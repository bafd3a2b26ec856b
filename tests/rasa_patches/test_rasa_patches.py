"""The Rasa speed fixes keep Rasa's behaviour: same validation, same stored trackers."""

from __future__ import annotations

import asyncio
import json
import math
import time
import types
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.utils.endpoints import ClientResponseError, EndpointConfig
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import QueuePool

from bot.settings import Settings
from rasa_patches import (
    PATCHES,
    RASA_RETRIEVE,
    RASA_SAVE,
    close_kept_sessions,
    install,
    retrieve_tracker_with_core,
    save_tracker_with_core,
)
from tests.sqlite_lock import longest_pause, write_lock_held


def action() -> RemoteAction:
    return RemoteAction("action_bin_day", None)


def test_install_replaces_each_attribute_once_and_names_it() -> None:
    installed = install(Settings())  # a second install changes nothing
    assert installed == [patch.target for patch in PATCHES]
    assert "rasa.core.actions.action.RemoteAction._validate_action_result" in installed
    wrapper = RemoteAction._validate_action_result  # wraps Rasa's own check
    assert wrapper.__code__.co_filename.endswith("rasa_patches/action_responses.py")
    assert wrapper.__wrapped__.__code__.co_filename.endswith("rasa/core/actions/action.py")


def test_a_valid_action_server_response_passes() -> None:
    response = {
        "events": [{"event": "slot", "name": "postcode", "value": "OB2 5JQ"}],
        "responses": [{"text": "Your bins..."}],
    }
    assert action()._validate_action_result(response) is True


def test_an_invalid_response_raises_rasas_error_with_its_advice() -> None:
    with pytest.raises(ValidationError) as raised:
        action()._validate_action_result({"events": "not a list"})
    assert "Failed to validate Action server response" in raised.value.message
    with pytest.raises(ValidationError):
        action()._validate_action_result({"events": [{"no_event_key": 1}]})


async def test_the_sqlite_tracker_store_is_pooled_in_wal_mode_and_round_trips(
    tmp_path: Path,
) -> None:
    store = SQLTrackerStore(db=str(tmp_path / "tracker.db"))
    assert isinstance(store.engine.pool, QueuePool)
    tracker = DialogueStateTracker("resident-1", [])
    tracker.update(UserUttered("when is my bin day"))
    tracker.update(ActionExecuted("action_listen"))
    await store.save(tracker)
    tracker.update(UserUttered("OB2 5JQ"))
    await store.save(tracker)
    again = await store.retrieve("resident-1")
    assert [e.text for e in again.events if isinstance(e, UserUttered)] == [
        "when is my bin day",
        "OB2 5JQ",
    ]
    with store.session_scope() as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL


async def test_a_tracker_save_under_another_process_lock_waits_off_the_loop_and_lands(
    tmp_path: Path,
) -> None:
    database = tmp_path / "tracker.db"
    store = SQLTrackerStore(db=str(database))
    tracker = DialogueStateTracker("resident-1", [])
    tracker.update(UserUttered("when is my bin day"))
    await store.save(tracker)
    tracker.update(UserUttered("OB2 5JQ"))
    with write_lock_held(database, 3.0) as released:
        stop = asyncio.Event()
        pauses = asyncio.create_task(longest_pause(stop))
        await asyncio.sleep(0.05)  # the watch has begun
        # Reading goes ahead (WAL); the save waits for the lock, in a worker thread.
        assert len((await store.retrieve("resident-1")).events) == 1
        await store.save(tracker)
        stop.set()
        longest = await pauses
    assert time.monotonic() >= released - 0.5
    assert longest < 0.3  # the loop ran on while the save waited
    again = await store.retrieve("resident-1")
    assert [e.text for e in again.events if isinstance(e, UserUttered)] == [
        "when is my bin day",
        "OB2 5JQ",
    ]


class CountingServer:
    """An HTTP server on loopback that notes each request's TCP connection and headers."""

    def __init__(self) -> None:
        self.peers: list[tuple[str, int]] = []
        self.headers: list[dict[str, str]] = []
        self.queries: list[dict[str, str]] = []
        self.bodies: list[str] = []
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.peers.append(request.transport.get_extra_info("peername"))
        self.headers.append(dict(request.headers))
        self.queries.append(dict(request.query))
        self.bodies.append(await request.text())
        if request.path == "/fail":
            return web.json_response({"error": "no"}, status=500)
        if request.path == "/close":  # answers, then closes the connection
            return web.json_response({"ok": True}, headers={"Connection": "close"})
        return web.json_response({"echo": await request.json()})


@pytest.fixture()
async def counting_server() -> AsyncIterator[CountingServer]:
    server = CountingServer()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", server.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    server.url = f"http://127.0.0.1:{port}"
    yield server
    await runner.cleanup()


async def test_action_server_calls_share_one_connection_with_rasas_headers_and_token(
    counting_server: CountingServer,
) -> None:
    endpoint = EndpointConfig(
        counting_server.url + "/webhook",
        headers={"X-Council": "ob"},
        token="secret",
        basic_auth={"username": "u", "password": "p"},
    )
    first = await endpoint.request(json={"n": 1}, method="post")
    second = await endpoint.request(json={"n": 2}, method="post")
    assert (first, second) == ({"echo": {"n": 1}}, {"echo": {"n": 2}})
    assert len(set(counting_server.peers)) == 1  # one TCP connection for both
    for headers, query in zip(counting_server.headers, counting_server.queries, strict=True):
        assert headers["X-Council"] == "ob"
        assert headers["Authorization"].startswith("Basic ")
        assert query == {"token": "secret"}
    await close_kept_sessions()


async def test_errors_and_closed_connections_behave_as_in_rasa(
    counting_server: CountingServer,
) -> None:
    endpoint = EndpointConfig(counting_server.url)
    with pytest.raises(ClientResponseError) as raised:
        await endpoint.request(json={}, method="post", subpath="fail")
    assert raised.value.status == 500
    assert await endpoint.request(json={}, method="post", subpath="close") == {"ok": True}
    # The server closed that connection: the next call opens a new one and succeeds.
    assert await endpoint.request(json={"n": 3}, method="post") == {"echo": {"n": 3}}
    assert len(set(counting_server.peers)) == 2
    await close_kept_sessions()
    # A closed session is replaced, not reused.
    assert await endpoint.request(json={"n": 4}, method="post") == {"echo": {"n": 4}}
    await close_kept_sessions()


async def test_action_calls_send_the_conversation_as_rasas_json_would(
    counting_server: CountingServer,
) -> None:
    tracker = DialogueStateTracker("+447700900001", [])
    tracker.update(ActionExecuted("action_listen", timestamp=1.5))
    tracker.update(
        UserUttered(
            "Pryd mae'r biniau'n cael eu casglu? ŵ ŷ € \\ / \"",
            {"name": "bin_collection_day", "confidence": 0.1 + 0.2},
            timestamp=1700000000.123456,
        )
    )
    tracker.update(BotUttered("Pick one", {"buttons": [{"title": "1", "payload": '/a{"x": 1}'}]}))
    payload = {
        "next_action": "action_bin_day",
        "large": 2**70,
        "tiny": 5e-324,
        "tracker": tracker.current_state(EventVerbosity.ALL),
    }
    endpoint = EndpointConfig(counting_server.url + "/webhook")
    echoed = await endpoint.request(json=payload, method="post")
    assert json.loads(counting_server.bodies[0]) == json.loads(json.dumps(payload))
    assert echoed == {"echo": json.loads(json.dumps(payload))}
    assert counting_server.headers[0]["Content-Type"] == "application/json"
    # NaN is sent as the standard library sends it; what neither can write is refused.
    await endpoint.request(json={"confidence": float("nan")}, method="post")
    assert math.isnan(json.loads(counting_server.bodies[1])["confidence"])
    with pytest.raises(TypeError):
        await endpoint.request(json={"not json": object()}, method="post")
    await close_kept_sessions()


def tracker_store_for(database_url: str) -> SQLTrackerStore:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return SQLTrackerStore(db=str(url.database))
    return SQLTrackerStore(
        dialect="postgresql",
        host=url.host,
        port=url.port,
        db=url.database,
        username=url.username,
        password=url.password,
    )


def stored_rows(store: SQLTrackerStore) -> list[tuple]:
    with store.session_scope() as session:
        return [
            tuple(row)
            for row in session.execute(
                text(
                    "SELECT sender_id, type_name, timestamp, intent_name, action_name, data "
                    "FROM events ORDER BY id"
                )
            )
        ]


async def save_three_turns(store: SQLTrackerStore) -> None:
    # Two conversations; the second starts a new session halfway, so only the events
    # since the latest session start count as stored.
    for sender in ("resident-a", "resident-b"):
        tracker = DialogueStateTracker(sender, [])
        tracker.update(ActionExecuted("action_session_start", timestamp=1.0))
        tracker.update(SessionStarted(timestamp=1.0))
        tracker.update(ActionExecuted("action_listen", timestamp=1.0))
        await store.save(tracker)
        tracker.update(
            UserUttered(
                "when is my bin day",
                {"name": "bin_collection_day", "confidence": 0.93},
                timestamp=2.0,
            )
        )
        tracker.update(SlotSet("postcode", "OB2 5JQ", timestamp=2.0))
        tracker.update(ActionExecuted("action_bin_day", timestamp=2.0))
        tracker.update(BotUttered("Your bins go out on Thursday", timestamp=2.0))
        await store.save(tracker)
        await store.save(tracker)  # nothing new: nothing written
        if sender == "resident-b":
            tracker.update(ActionExecuted("action_session_start", timestamp=3.0))
            tracker.update(SessionStarted(timestamp=3.0))
            await store.save(tracker)
            restored = await store.retrieve(sender)
            restored.update(
                UserUttered("thanks", {"name": "thank", "confidence": 0.9}, timestamp=4.0)
            )
            await store.save(restored)


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
async def test_tracker_saves_store_exactly_the_rows_rasas_own_save_stores(
    database_url: str, tmp_path: Path
) -> None:
    ours = tracker_store_for(database_url)
    assert SQLTrackerStore.save is save_tracker_with_core
    await save_three_turns(ours)
    theirs = SQLTrackerStore(db=str(tmp_path / "rasa-original.db"))
    theirs.save = types.MethodType(RASA_SAVE, theirs)  # Rasa's save, unpatched
    await save_three_turns(theirs)
    assert stored_rows(ours) == stored_rows(theirs)
    assert len(stored_rows(ours)) == 2 * 7 + 3


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
async def test_a_sender_and_intent_with_a_nul_are_stored_without_it_and_read_back(
    database_url: str,
) -> None:
    store = tracker_store_for(database_url)
    tracker = DialogueStateTracker("rest\x00resident", [])
    tracker.update(UserUttered("/greet\x00", {"name": "greet\x00", "confidence": 1.0}))
    await store.save(tracker)
    tracker.update(UserUttered("hello again"))
    await store.save(tracker)  # the next message of the same conversation
    assert [row[:1] + row[3:4] for row in stored_rows(store)] == [
        ("restresident", "greet"),
        ("restresident", None),
    ]
    again = await store.retrieve("rest\x00resident")
    assert [e.text for e in again.events if isinstance(e, UserUttered)] == [
        "/greet\x00",
        "hello again",
    ]


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
async def test_trackers_read_back_exactly_as_rasas_own_retrieve_reads_them(
    database_url: str,
) -> None:
    store = tracker_store_for(database_url)
    assert SQLTrackerStore._retrieve is retrieve_tracker_with_core
    await save_three_turns(store)
    for sender in ("resident-a", "resident-b", "nobody"):
        for all_sessions in (False, True):
            ours = await store._retrieve(sender, all_sessions)
            theirs = await RASA_RETRIEVE(store, sender, all_sessions)
            if sender == "nobody":
                assert ours is None and theirs is None
                continue
            assert list(ours.events) == list(theirs.events)
            assert ours.current_state() == theirs.current_state()
    latest = await store.retrieve("resident-b")  # the latest session only
    full = await store.retrieve_full_tracker("resident-b")
    assert len(latest.events) == 3 and len(full.events) == 10


def test_event_classes_resolve_as_rasas_own_walk_resolves_them() -> None:
    from rasa.shared.core.events import ActionExecuted, Event, UserUttered
    from rasa.shared.utils.common import all_subclasses

    from rasa_patches import events

    assert Event.resolve_by_type is events.resolve_event_class
    for cls in all_subclasses(Event):
        assert Event.resolve_by_type(cls.type_name) is events.RASA_RESOLVE_EVENT(cls.type_name)
    assert Event.resolve_by_type("user") is UserUttered
    assert Event.from_parameters({"event": "action", "name": "action_listen"}) == (
        ActionExecuted("action_listen")
    )
    # Unknown names behave as before, and are not remembered as the default given.
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("no_such_event", default=UserUttered) is UserUttered
    with pytest.raises(ValueError, match="Unknown event name 'no_such_event'"):
        Event.resolve_by_type("no_such_event")
