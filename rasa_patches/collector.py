"""No long full garbage collections in `rasa run` once the model is loaded (`bot.gc_freeze`
says why); the channels call it when the server has started. A model replaced while the
server runs stays in memory until the server restarts.
"""

from __future__ import annotations

from typing import Any

from bot.gc_freeze import freeze_loaded_objects
from rasa_patches.action_sessions import close_kept_sessions


def add_server_listeners(blueprint: Any) -> None:
    """On a channel's blueprint: freeze what loading made once the server (and Rasa's model,
    loaded before it starts) is up; close the kept action server sessions when it stops."""

    @blueprint.listener("after_server_start")
    async def freeze_after_loading(_app: Any, _loop: Any) -> None:
        freeze_loaded_objects()

    @blueprint.listener("after_server_stop")
    async def close_action_server_sessions(_app: Any, _loop: Any) -> None:
        await close_kept_sessions()
