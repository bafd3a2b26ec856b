"""The baseline: the same model and action server driven through bare `Agent.handle_text`,
in this process, with no channel, at the same offered rates with the same messages.

The agent is loaded as `rasa run` loads it (`load_agent` with an endpoints file), with
its own SQLite tracker database so the servers' data stay apart.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bot.bench.load_web import START_DELAY_SECONDS, Tally, _sleep_until, group_by_conversation
from bot.bench.residents import SCRIPTS, message_for
from bot.bench.schedule import Send, StepResult

REPLY_TIMEOUT_SECONDS = 10.0


async def load_baseline_agent(model: Path, endpoints_file: Path) -> Any:
    """The agent, loaded from `model` with the endpoints (action server, tracker store)."""
    from rasa.core.agent import load_agent
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    from bot.gc_freeze import freeze_loaded_objects
    from bot.settings import get_settings
    from rasa_patches import install

    install(get_settings())  # as `rasa run` does when it builds our channels: the same code
    # Rasa's debug logs would otherwise be formatted for every event (`rasa run` logs INFO).
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)

    endpoints = AvailableEndpoints.read_endpoints(str(endpoints_file))
    agent = await load_agent(model_path=str(model), endpoints=endpoints)
    if agent is None or not agent.is_ready():
        raise RuntimeError(f"could not load {model}")
    freeze_loaded_objects()  # as the channels do once `rasa run` has loaded the model
    return agent


class AgentLoad:
    """Drives `agent.handle_text` at a steady offered rate."""

    def __init__(
        self, agent: Any, frames_per_turn: Mapping[tuple[int, int], int], name: str = "handle_text"
    ) -> None:
        self.name = name
        self.agent = agent
        self.frames_per_turn = frames_per_turn

    async def warm_up(self) -> None:
        """Run every script once, one turn at a time."""
        for script in range(len(SCRIPTS)):
            sender = f"bench-warm-{uuid.uuid4().hex[:12]}"
            for turn in range(len(SCRIPTS[script])):
                await self.agent.handle_text(message_for(script, turn), sender_id=sender)

    async def run_step(self, rate: float, sends: list[Send]) -> StepResult:
        """Send `sends` (a step at `rate` messages a second: `step_sends`), each at its
        moment; wait for the replies."""
        senders = {c: f"bench-{uuid.uuid4().hex[:12]}" for c in group_by_conversation(sends)}
        tally = Tally()
        start = time.perf_counter() + START_DELAY_SECONDS
        await asyncio.gather(
            *(self._say(start, send, senders[send.conversation], tally) for send in sends)
        )
        return tally.result(rate, len(sends))

    async def _say(self, start: float, send: Send, sender: str, tally: Tally) -> None:
        await _sleep_until(start + send.at)
        sent = tally.sent_at(start + send.at)
        try:
            replies = await asyncio.wait_for(
                self.agent.handle_text(message_for(send.script, send.turn), sender_id=sender),
                timeout=REPLY_TIMEOUT_SECONDS,
            )
        except asyncio.TimeoutError:
            return  # lost
        except Exception:
            tally.errors += 1
            return
        if len(replies or []) >= self.frames_per_turn[(send.script, send.turn)]:
            tally.latencies_ms.append((time.perf_counter() - sent) * 1000)
