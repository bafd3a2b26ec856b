"""Open-loop load: when each message is sent, by whom, and how the latencies add up.

A step offers `rate` messages a second for `duration` seconds, on a schedule fixed in
advance that does not wait for replies: evenly spaced, or (with a seed) arriving at random
moments as residents' messages do, in bursts (a Poisson process).
Messages are dealt to "lanes" so that no lane sends faster than `min_gap` seconds apart
(the channels' per-resident rate limits); a lane holds one resident's conversation after
another, each following a script of turns.
"""

from __future__ import annotations

import math
import random
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

# A step is sustained when nothing failed or went missing and the queue did not grow:
# its 99th percentile stayed under this (an overloaded server's latency climbs without end).
SUSTAINED_P99_MS = 2_000.0
# And the rate was really offered: a load generator that fell behind (it shares the machine)
# measured a lower rate than the step's.
MIN_ACHIEVED_SHARE = 0.95


@dataclass(frozen=True)
class Send:
    """One scheduled message: `at` seconds after the step starts, turn `turn` of
    conversation `conversation` (unique in the step), which follows script `script`."""

    at: float
    conversation: int
    script: int
    turn: int


def arrival_times(rate: float, duration: float, seed: int | None = None) -> list[float]:
    """floor(rate * duration) moments in [0, duration), in order: 1/rate apart, or with a
    seed at random (a Poisson process with that many arrivals: independent uniform moments;
    the same seed gives the same moments, so ways compared in a round meet the same bursts)."""
    count = int(math.floor(rate * duration + 1e-9))
    if seed is None:
        return [k / rate for k in range(count)]
    rng = random.Random(seed)
    return sorted(rng.uniform(0, duration) for _ in range(count))


def open_loop_schedule(
    rate: float,
    duration: float,
    min_gap: float,
    script_lengths: Sequence[int],
    seed: int | None = None,
) -> list[Send]:
    """The sends of one step, in time order, at `arrival_times(rate, duration, seed)`.

    Each message goes to the lane (a resident) that has waited longest, or to a new lane
    when that one sent less than `min_gap` seconds ago; a new lane starts with script
    (lanes so far) mod len(script_lengths) and moves to the next script for its next
    conversation. Conversation ids count up from 0 in the order conversations start.
    """
    if rate <= 0 or duration <= 0 or min_gap < 0:
        raise ValueError("rate and duration must be positive, min_gap not negative")
    if not script_lengths or min(script_lengths) < 1:
        raise ValueError("every script needs at least one turn")
    # Lanes by when they last sent, longest waiting first: (last send, conversation,
    # script, next turn). A lane's sends are in order, so the deque stays sorted.
    lanes: deque[tuple[float, int, int, int]] = deque()
    lanes_started = next_conversation = 0
    sends: list[Send] = []
    for at in arrival_times(rate, duration, seed):
        if lanes and at - lanes[0][0] >= min_gap - 1e-9:
            _last, conversation, script, turn = lanes.popleft()
            if turn >= script_lengths[script]:
                script = (script + 1) % len(script_lengths)
                conversation, turn = next_conversation, 0
                next_conversation += 1
        else:
            script = lanes_started % len(script_lengths)
            lanes_started += 1
            conversation, turn = next_conversation, 0
            next_conversation += 1
        sends.append(Send(at=at, conversation=conversation, script=script, turn=turn))
        lanes.append((at, conversation, script, turn + 1))
    return sends


def percentile(values: Sequence[float], pct: float) -> float | None:
    """The `pct` percentile (0-100) by linear interpolation between ranks; None when empty."""
    if not 0 <= pct <= 100:
        raise ValueError("pct must be between 0 and 100")
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * pct / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass
class StepResult:
    """What one step of the ladder measured (latencies in milliseconds)."""

    rate: float
    sent: int
    latencies_ms: list[float]
    errors: int
    lost: int
    seconds: float
    # Per process: CPU time used during the step, per message sent.
    cpu_ms_per_message: dict[str, float] = field(default_factory=dict)
    # A pooled step's rounds, in the order they ran (empty for a single step).
    rounds: list[StepResult] = field(default_factory=list)

    def pct(self, p: float) -> float | None:
        value = percentile(self.latencies_ms, p)
        return None if value is None else round(value, 1)

    @property
    def sustained(self) -> bool:
        """No errors, no lost replies, the 99th percentile under SUSTAINED_P99_MS, and the
        messages sent at MIN_ACHIEVED_SHARE of the rate or more."""
        p99 = percentile(self.latencies_ms, 99)
        return (
            self.errors == 0
            and self.lost == 0
            and self.sent > 0
            and p99 is not None
            and p99 <= SUSTAINED_P99_MS
            and self.seconds > 0
            and self.sent / self.seconds >= MIN_ACHIEVED_SHARE * self.rate
        )

    def summary(self) -> dict[str, object]:
        """The step as a JSON-ready dict."""
        return {
            "rate": self.rate,
            "sent": self.sent,
            "answered": len(self.latencies_ms),
            "errors": self.errors,
            "lost": self.lost,
            "p50_ms": self.pct(50),
            "p95_ms": self.pct(95),
            "p99_ms": self.pct(99),
            "achieved_rate": round(self.sent / self.seconds, 1) if self.seconds else None,
            "sustained": self.sustained,
            "cpu_ms_per_msg": self.cpu_ms_per_message,
        }


def highest_sustained(steps: Sequence[StepResult]) -> float:
    """The highest offered rate of the sustained steps before the first failing one (0 if none)."""
    best = 0.0
    for step in steps:
        if not step.sustained:
            break
        best = max(best, step.rate)
    return best


def pooled(steps: Sequence[StepResult]) -> StepResult:
    """Rounds of one step (the same rate, run at different times) as one step: their
    messages, latencies, failures and seconds added up, CPU a message averaged by messages;
    the rounds themselves kept (`rounds`) for comparing round by round."""
    if not steps or len({s.rate for s in steps}) != 1:
        raise ValueError("pool one or more steps of the same rate")
    sent = sum(s.sent for s in steps)
    names = {name for s in steps for name in s.cpu_ms_per_message}
    cpu = {
        name: round(
            sum(s.cpu_ms_per_message.get(name, 0.0) * s.sent for s in steps) / max(sent, 1), 1
        )
        for name in sorted(names)
    }
    return StepResult(
        rate=steps[0].rate,
        sent=sent,
        latencies_ms=[ms for s in steps for ms in s.latencies_ms],
        errors=sum(s.errors for s in steps),
        lost=sum(s.lost for s in steps),
        seconds=sum(s.seconds for s in steps),
        cpu_ms_per_message=cpu,
        rounds=list(steps),
    )
