"""Open-loop load through the web chat channel: one WebSocket per simulated resident.

A reply's latency runs from sending the resident's frame to the last bot frame of that
turn (how many frames each turn gets is learnt beforehand from the REST channel).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from websockets.client import connect
from websockets.exceptions import WebSocketException

from bot.bench.residents import message_for, session_id
from bot.bench.schedule import Send, StepResult

CONNECT_LEAD_SECONDS = 0.6
START_DELAY_SECONDS = 1.0
REPLY_TIMEOUT_SECONDS = 10.0


@dataclass
class Tally:
    """Counts shared by one step's residents."""

    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    send_lag_ms: list[float] = field(default_factory=list)
    first_send: float | None = None
    last_send: float = 0.0

    def sent_at(self, scheduled: float) -> float:
        now = time.perf_counter()
        self.send_lag_ms.append((now - scheduled) * 1000)
        self.first_send = now if self.first_send is None else self.first_send
        self.last_send = now
        return now

    def result(self, rate: float, sent: int) -> StepResult:
        seconds = (self.last_send - (self.first_send or self.last_send)) + 1 / rate
        answered = len(self.latencies_ms)
        return StepResult(
            rate=rate,
            sent=sent,
            latencies_ms=self.latencies_ms,
            errors=self.errors,
            lost=max(0, sent - answered - self.errors),
            seconds=seconds,
        )


def group_by_conversation(sends: list[Send]) -> dict[int, list[Send]]:
    """The sends of each conversation, in turn order."""
    grouped: dict[int, list[Send]] = {}
    for send in sends:
        grouped.setdefault(send.conversation, []).append(send)
    return grouped


async def _sleep_until(moment: float) -> None:
    delay = moment - time.perf_counter()
    if delay > 0:
        await asyncio.sleep(delay)


class WebChatLoad:
    """Drives `ws_url` (…/webhooks/webchat/ws) at a steady offered rate."""

    name = "websocket"

    def __init__(self, ws_url: str, frames_per_turn: Mapping[tuple[int, int], int]) -> None:
        self.ws_url = ws_url
        self.frames_per_turn = frames_per_turn

    async def run_step(self, rate: float, sends: list[Send]) -> StepResult:
        """Send `sends` (a step at `rate` messages a second: `step_sends`), each at its
        moment; wait for the replies."""
        tally = Tally()
        start = time.perf_counter() + START_DELAY_SECONDS
        conversations = group_by_conversation(sends)
        await asyncio.gather(
            *(self._converse(start, turns, tally) for turns in conversations.values())
        )
        return tally.result(rate, len(sends))

    async def _converse(self, start: float, turns: list[Send], tally: Tally) -> None:
        await _sleep_until(start + turns[0].at - CONNECT_LEAD_SECONDS)
        url = f"{self.ws_url}?session={session_id()}"
        try:
            async with connect(url, open_timeout=10, close_timeout=2, max_queue=None) as ws:
                first = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
                if first.get("type") != "history":
                    tally.errors += len(turns)
                    return
                await self._talk(ws, start, turns, tally)
        except (OSError, asyncio.TimeoutError, WebSocketException):
            tally.errors += 1

    async def _talk(self, ws: Any, start: float, turns: list[Send], tally: Tally) -> None:
        # Pending turns: (frames received when this turn's reply is complete, sent at).
        pending: deque[tuple[int, float]] = deque()
        received = 0
        target = 0
        done = asyncio.Event()

        async def read() -> None:
            nonlocal received
            async for raw in ws:
                frame = json.loads(raw)
                if frame.get("type") == "error":
                    tally.errors += 1
                elif frame.get("type") == "bot":
                    received += 1
                    now = time.perf_counter()
                    while pending and received >= pending[0][0]:
                        tally.latencies_ms.append((now - pending.popleft()[1]) * 1000)
                if all_sent and not pending:
                    done.set()
                    return

        all_sent = False
        reader = asyncio.create_task(read())
        try:
            for send in turns:
                await _sleep_until(start + send.at)
                target += self.frames_per_turn[(send.script, send.turn)]
                pending.append((target, tally.sent_at(start + send.at)))
                await ws.send(
                    json.dumps({"type": "message", "text": message_for(send.script, send.turn)})
                )
            all_sent = True
            if pending:
                await asyncio.wait_for(done.wait(), timeout=REPLY_TIMEOUT_SECONDS)
        except asyncio.TimeoutError:
            pass  # unanswered turns count as lost
        finally:
            reader.cancel()
