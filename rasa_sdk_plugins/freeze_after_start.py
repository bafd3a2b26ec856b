"""The action server leaves what it loaded out of full garbage collections once it is up
(`bot.gc_freeze` says why: about 110 ms with every action call waiting, otherwise)."""

from __future__ import annotations

from typing import Any

import pluggy
from sanic import Sanic

from bot.gc_freeze import freeze_loaded_objects

hookimpl = pluggy.HookimplMarker("rasa_sdk")


@hookimpl  # type: ignore[misc]
def attach_sanic_app_extensions(app: Sanic) -> None:
    """Freeze once the server has started: the actions and all they import are loaded
    by then (what the first calls load later, such as the content, is small)."""

    async def freeze_after_loading(_app: Any, _loop: Any) -> None:
        freeze_loaded_objects()

    app.register_listener(freeze_after_loading, "after_server_start")
