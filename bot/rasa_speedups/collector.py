"""No long pauses for Python's full garbage collections in a server with a model loaded.

A full collection walks every object the process holds: with the model, spaCy and Rasa
loaded, about 570,000, for 280-310 ms, during which no resident gets an answer (the load
bench saw it as a burst of 120-350 ms replies early in a step). Once the model is loaded,
the objects alive are kept for the life of the process, so they are moved out of the
collector's sight (`gc.freeze`) after one last collection; later garbage is collected as
before. A model replaced while the server runs stays in memory until the server restarts.
"""

from __future__ import annotations

import gc
from typing import Any

from bot.rasa_speedups.action_sessions import close_kept_sessions

_FROZEN = False


def freeze_loaded_objects() -> None:
    """Collect once, then leave every object alive now out of later collections (once)."""
    global _FROZEN
    if _FROZEN:
        return
    gc.collect()
    gc.freeze()
    _FROZEN = True


def add_server_listeners(blueprint: Any) -> None:
    """On a channel's blueprint: freeze what loading made once the server (and Rasa's model,
    loaded before it starts) is up; close the kept action server sessions when it stops."""

    @blueprint.listener("after_server_start")
    async def freeze_after_loading(_app: Any, _loop: Any) -> None:
        freeze_loaded_objects()

    @blueprint.listener("after_server_stop")
    async def close_action_server_sessions(_app: Any, _loop: Any) -> None:
        await close_kept_sessions()
