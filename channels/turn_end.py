"""Telling an output channel that the assistant's turn is over, before Rasa saves it.

Rasa's processor runs the assistant's actions for a message (its prediction loop), then
saves the conversation, then returns. A channel that sends a turn's messages as one (the
SMS reply) would otherwise wait for that save: about 1.2 ms of CPU a message on SQLite,
more while the server is busy. Messages the web chat sends go out during the loop, so
they never waited for it.

`install()` wraps the loop: when it ends, an output channel with an `end_of_turn()`
coroutine has it awaited, then the conversation is saved as before. The hook must not
stop the save: whatever it raises is logged here and the turn goes on. Output channels
without the hook (Rasa's own, the web chat) are untouched.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from functools import wraps
from typing import Any, Protocol, runtime_checkable

logger = logging.getLogger(__name__)

_INSTALLED = False


@runtime_checkable
class EndOfTurnAware(Protocol):
    """An output channel that wants to know when the assistant's turn is over."""

    async def end_of_turn(self) -> None: ...


def _with_end_of_turn(
    loop: Callable[..., Coroutine[Any, Any, None]],
) -> Callable[..., Coroutine[Any, Any, None]]:
    @wraps(loop)
    async def _run_prediction_loop(self: Any, output_channel: Any, tracker: Any) -> None:
        await loop(self, output_channel, tracker)
        if isinstance(output_channel, EndOfTurnAware):
            try:
                await output_channel.end_of_turn()
            except Exception:
                logger.exception(
                    "the end of turn for %s failed; the conversation is saved anyway",
                    type(output_channel).__name__,
                )

    return _run_prediction_loop


def install() -> None:
    """Wrap Rasa's prediction loop (idempotent); a Rasa whose loop changed stops the server."""
    global _INSTALLED
    if _INSTALLED:
        return
    from rasa.core.processor import MessageProcessor

    from rasa_patches import Patch, install_hook

    install_hook(
        Patch(
            MessageProcessor,
            "_run_prediction_loop",
            ("self", "output_channel", "tracker"),
            _with_end_of_turn,
        )
    )
    _INSTALLED = True
