"""Objects a server loaded at start are left out of full garbage collections, once."""

from __future__ import annotations

import gc

import pytest

from bot import gc_freeze


@pytest.fixture
def unfrozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gc_freeze, "_FROZEN", False)  # a server started earlier froze once
    gc.unfreeze()


def test_objects_alive_after_loading_are_left_out_of_full_collections(unfrozen: None) -> None:
    loaded = {"model": list(range(1000))}
    gc_freeze.freeze_loaded_objects()
    frozen = gc.get_freeze_count()
    assert frozen > 0
    gc_freeze.freeze_loaded_objects()  # once per process: later objects are not frozen too
    assert gc.get_freeze_count() == frozen
    assert not any(o is loaded for o in gc.get_objects())  # out of the collector's sight

    class Cycle:
        pass

    later = Cycle()
    later.me = later  # type: ignore[attr-defined]
    later_id = id(later)
    del later
    gc.collect()  # garbage made after loading is still collected
    assert not any(id(o) == later_id and isinstance(o, Cycle) for o in gc.get_objects())


def test_the_rasa_server_listener_freezes_when_the_server_has_started(unfrozen: None) -> None:
    from sanic import Blueprint, Sanic, response

    from rasa_patches.collector import add_server_listeners

    app = Sanic("rasa_server_freeze_test")
    blueprint = Blueprint("channel_freeze_test")
    add_server_listeners(blueprint)

    @blueprint.get("/frozen")
    async def frozen(_request: object) -> response.HTTPResponse:
        return response.json({"frozen": gc.get_freeze_count()})

    app.blueprint(blueprint)
    _request, answer = app.test_client.get("/frozen")
    assert answer.json["frozen"] > 0
