"""The action server, started as `rasa run actions` starts it, freezes what it loaded."""

from __future__ import annotations

import gc

import pytest

from bot import gc_freeze


def test_the_action_server_leaves_loaded_objects_out_of_full_collections(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from rasa_sdk.endpoint import create_app
    from rasa_sdk.plugin import plugin_manager
    from sanic import response

    monkeypatch.setattr(gc_freeze, "_FROZEN", False)
    gc.unfreeze()
    # As rasa_sdk.endpoint.run does: the app with our actions, then the plugins' hooks
    # (rasa_sdk finds the rasa_sdk_plugins package by its name).
    app = create_app("actions")
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    assert gc.get_freeze_count() == 0  # nothing frozen before the server starts

    @app.get("/frozen_count")
    async def frozen_count(_request: object) -> response.HTTPResponse:
        return response.json({"frozen": gc.get_freeze_count()})

    _request, health = app.test_client.get("/health")
    assert health.status == 200
    _request, answer = app.test_client.get("/frozen_count")
    assert answer.json["frozen"] > 0
