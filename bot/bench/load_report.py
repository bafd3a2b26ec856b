"""The load benchmark's report: each way's figures, its overhead over the baseline, the verdict.

The overhead is a channel's p95 over bare `Agent.handle_text`'s. At the rates where it is
judged, each way runs in rounds that take turns with the others; a channel's round is
compared with the baseline's round of the same turn, and the median of those ratios is
the overhead, so one slow round (a busy moment on the shared machine) does not set it as
it sets the pooled rounds' p95 (also reported). How far to trust it: run `--control`.
The baseline against itself measured 0.97x at 25/s but 1.46x at 50/s until the action
server stopped pausing for full garbage collections; since then 0.89-1.03x and 0.98-1.01x
(README, "Speed under load").
"""

from __future__ import annotations

import os
import statistics
from typing import Any

from bot.bench.schedule import StepResult, highest_sustained

REPORT_RATE = 25.0
TARGETS = {"p95_ms_at_25": 250, "max_sustained_rate": 50, "overhead_p95": 1.2}
# The overhead target is judged at the two load levels: 25/s and the 50/s to sustain.
OVERHEAD_RATES = (REPORT_RATE, float(TARGETS["max_sustained_rate"]))


def _ratio(value: float | None, base: float | None) -> float | None:
    return round(value / base, 2) if value and base else None


def paired_ratios(step: StepResult, base: StepResult) -> list[float]:
    """p95 over the baseline's p95, round by round (a single step is one round)."""
    ratios = (
        _ratio(mine.pct(95), theirs.pct(95))
        for mine, theirs in zip(step.rounds or [step], base.rounds or [base], strict=False)
    )
    return [ratio for ratio in ratios if ratio is not None]


def overhead_by_rate(
    steps: list[StepResult], base_steps: list[StepResult], cpu_of: str = "rasa"
) -> dict[str, Any]:
    """At each rate both ran: the median of the paired rounds' p95 ratios ("p95"), each of
    them, the pooled rounds' ratio, and the CPU a message of the process `cpu_of` over the
    baseline's (which does not depend much on what else the machine runs)."""
    base = {s.rate: s for s in base_steps}
    ratios: dict[str, Any] = {}
    for step in steps:
        other = base.get(step.rate)
        rounds = paired_ratios(step, other) if other else []
        if other is None or not rounds:
            continue
        ratios[f"{step.rate:g}"] = {
            "p95": round(statistics.median(rounds), 2),
            "p95_rounds": rounds,
            "p95_pooled": _ratio(step.pct(95), other.pct(95)),
            "cpu": _ratio(
                step.cpu_ms_per_message.get(cpu_of), other.cpu_ms_per_message.get("bench_process")
            ),
        }
    return ratios


def channel_line(name: str, steps: list[StepResult], rss_mb: dict[str, float]) -> dict[str, Any]:
    """The JSON line of one way through: figures at REPORT_RATE, the ladder, memory."""
    at = next((s for s in steps if s.rate == REPORT_RATE), None)
    return {
        "bench": "load",
        "channel": name,
        "p50_ms": at.pct(50) if at else None,
        "p95_ms": at.pct(95) if at else None,
        "p99_ms": at.pct(99) if at else None,
        "at_rate": REPORT_RATE,
        "max_sustained_rate": highest_sustained(steps),
        "errors": at.errors if at else None,
        "lost": at.lost if at else None,
        "rss_mb": rss_mb,
        "steps": [s.summary() for s in steps],
    }


def add_overhead(
    line: dict[str, Any],
    steps: list[StepResult],
    base_steps: list[StepResult],
    cpu_of: str = "rasa",
) -> dict[str, Any]:
    """`line` with the way's overhead over the baseline: at each rate, at REPORT_RATE, and at
    the highest rate both sustained (near saturation a small difference in CPU a message
    becomes a large one in queueing)."""
    by_rate = overhead_by_rate(steps, base_steps, cpu_of)
    both = min(line["max_sustained_rate"], highest_sustained(base_steps))
    return {
        **line,
        "overhead_vs_handle_text_p95": by_rate.get(f"{REPORT_RATE:g}", {}).get("p95"),
        "overhead_by_rate": by_rate,
        "overhead_p95_at_sustained": {"rate": both, **by_rate.get(f"{both:g}", {})},
    }


def _judged(line: dict[str, Any]) -> list[float | None]:
    return [line["overhead_by_rate"].get(f"{r:g}", {}).get("p95") for r in OVERHEAD_RATES]


def summary(
    lines: list[dict[str, Any]], seconds: float, control: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Whether each channel met the issue's targets; with the control way's line, the
    overhead the baseline measured against itself (what noise alone gives)."""
    met = {}
    for line in lines[1:]:
        p95, rate = line["p95_ms"], line["max_sustained_rate"]
        met[line["channel"]] = {
            "p95_under_250ms_at_25": p95 is not None and p95 < TARGETS["p95_ms_at_25"],
            "sustains_50_per_s": rate >= TARGETS["max_sustained_rate"],
            "overhead_under_1_2x_at_25_and_50": all(
                ratio is not None and ratio < TARGETS["overhead_p95"] for ratio in _judged(line)
            ),
        }
    result: dict[str, Any] = {
        "bench": "load_summary",
        "targets": TARGETS,
        "met": met,
        "baseline_max_sustained_rate": lines[0]["max_sustained_rate"],
    }
    if control is not None:
        result["control_overhead_p95"] = dict(
            zip((f"{r:g}" for r in OVERHEAD_RATES), _judged(control), strict=True)
        )
    # Other work on the machine moves latencies; CPU per message does not move much.
    return {
        **result,
        "cpus": os.cpu_count(),
        "load_average_1m_at_end": round(os.getloadavg()[0], 2),
        "seconds": round(seconds, 1),
    }
