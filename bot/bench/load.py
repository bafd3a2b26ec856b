"""`make bench`, load part: end-to-end reply latency and throughput through the channels.

    python -m bot.bench.load [--rates 10,25,50,75,100] [--step-seconds 20] [--rounds 5]
                             [--channels web,sms] [--control] [--random-arrivals]

Starts the whole stack on loopback (SQLite in a temp dir, action server, `rasa run`), then
climbs a ladder of offered rates, open loop, three ways given the same messages at the same
moments (`step_sends`): bare `Agent.handle_text` in this process (the baseline), the web chat
WebSocket and the SMS simulator webhook, one after the other at each rate (so that a drift
in the machine's speed hits all three alike), each step on a server that has finished the
previous one's work; at 25/s and 50/s they take turns `--rounds` times, starting with a
different way each round, and a channel's overhead is the median of its rounds' p95 ratios
to the baseline's rounds (`bot/bench/load_report.py` says why). A way stops at its first
step that is not sustained (an error, a lost reply, or p99 over 2 s). `--control` adds the
baseline a second time, as if it were a channel: its "overhead" is what the machine's noise
alone gives. Messages are evenly spaced unless `--random-arrivals` (bursts as a Poisson
process; a step's p95 then moves much more from round to round, as queues form in the
bursts).
Prints a JSON line per step and round, one per way and a summary line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import yaml

from bot.bench.load_agent import AgentLoad, load_baseline_agent
from bot.bench.load_report import (
    OVERHEAD_RATES,
    REPORT_RATE,
    add_overhead,
    channel_line,
    summary,
)
from bot.bench.load_sms import SmsLoad
from bot.bench.load_web import WebChatLoad
from bot.bench.memory import PeakRss, cpu_seconds, status_kib
from bot.bench.residents import SCRIPTS, step_sends
from bot.bench.schedule import StepResult, pooled
from bot.bench.stack import MODEL, Stack, running_stack
from bot.db.session import make_engine
from bot.endpoints import ACTION_SECRET_HEADER

DEFAULT_RATES = (10.0, 25.0, 50.0, 75.0, 100.0)
# At the overhead rates each way runs this many rounds, taking turns: a single 20 s step's
# p95 moved by up to half between rounds of the same code on the shared machine.
DEFAULT_ROUNDS = 5
CONTROL = "handle_text_control"
PAUSE_SECONDS = 2.0


async def frames_per_turn(base_url: str) -> dict[tuple[int, int], int]:
    """How many messages each scripted turn gets, through the REST channel (warms up too)."""
    counts: dict[tuple[int, int], int] = {}
    async with aiohttp.ClientSession() as client:
        for _ in range(2):  # the first pass warms the model and the action server
            for script, turns in enumerate(SCRIPTS):
                sender = f"bench-rest-{uuid.uuid4().hex[:12]}"
                for turn, text in enumerate(turns):
                    async with client.post(
                        f"{base_url}/webhooks/rest/webhook",
                        json={"sender": sender, "message": text},
                        timeout=aiohttp.ClientTimeout(total=60),
                    ) as response:
                        response.raise_for_status()
                        counts[(script, turn)] = len(await response.json())
    missing = [key for key, count in counts.items() if count == 0]
    if missing:
        raise RuntimeError(f"scripted turns without a reply: {missing}")
    return counts


async def measured_step(
    load: Any,
    rate: float,
    seconds: float,
    pids: dict[str, int],
    round_number: int = 1,
    random_arrivals: bool = False,
) -> StepResult:
    """One step, with the CPU time the processes in `pids` used per message; printed."""
    before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    # At random: each round its own arrivals, the same for every way in it.
    seed = round(rate * 1000) + round_number if random_arrivals else None
    step = await load.run_step(rate, step_sends(rate, seconds, seed))
    step.cpu_ms_per_message = {
        name: round((cpu_seconds(pid) - before[name]) * 1000 / max(step.sent, 1), 1)
        for name, pid in pids.items()
    }
    print(
        json.dumps(
            {"bench": "load_step", "channel": load.name, "round": round_number, **step.summary()}
        ),
        flush=True,
    )
    return step


async def settle(pids: dict[str, int], limit_seconds: float = 30.0) -> None:
    """Wait until the processes in `pids` are nearly idle (a step past saturation leaves a
    backlog), so the next step starts on a quiet server."""
    deadline = time.monotonic() + limit_seconds
    await asyncio.sleep(PAUSE_SECONDS)
    while pids and time.monotonic() < deadline:
        before = sum(cpu_seconds(pid) for pid in pids.values())
        await asyncio.sleep(0.5)
        if sum(cpu_seconds(pid) for pid in pids.values()) - before < 0.05:
            return


async def interleaved_ladders(
    ways: list[tuple[Any, dict[str, int]]],
    rates: list[float],
    seconds: float,
    server_pids: dict[str, int],
    rounds_at: dict[float, int] | None = None,
    random_arrivals: bool = False,
) -> dict[str, list[StepResult]]:
    """Every way (a load and the processes whose CPU it counts) at each rate in turn, so
    all see the machine as it is then (a shared machine's speed drifts over minutes). At a
    rate in `rounds_at`, the turns go round that many times, each round starting one way
    further on (so no way always follows the same one), and each way's rounds are pooled
    into one step that keeps them. A way stops after its first unsustained step past
    REPORT_RATE."""
    for load, _pids in ways:
        await load.run_step(2.0, step_sends(2.0, 4.0))  # warm each path; not reported
    steps: dict[str, list[StepResult]] = {load.name: [] for load, _pids in ways}
    running = list(ways)
    for rate in rates:
        rounds: dict[str, list[StepResult]] = {load.name: [] for load, _pids in running}
        for number in range(1, max(1, (rounds_at or {}).get(rate, 1)) + 1):
            first = (number - 1) % len(running)
            for load, pids in running[first:] + running[:first]:
                await settle(server_pids)
                rounds[load.name].append(
                    await measured_step(load, rate, seconds, pids, number, random_arrivals)
                )
        for load, pids in list(running):
            step = pooled(rounds[load.name])
            steps[load.name].append(step)
            if not step.sustained and rate >= REPORT_RATE:
                running.remove((load, pids))
        if not running:
            break
    return steps


def write_baseline_endpoints(stack: Stack) -> Path:
    """The baseline's endpoints: the same action server, its own tracker database."""
    path = stack.workdir / "baseline-endpoints.yml"
    path.write_text(
        yaml.safe_dump(
            {
                "action_endpoint": {
                    "url": stack.action_url,
                    "headers": {ACTION_SECRET_HEADER: stack.env["ACTION_SERVER_SECRET"]},
                },  # a temporary file
                "tracker_store": {
                    "type": "SQL",
                    "dialect": "sqlite",
                    "db": str(stack.workdir / "baseline-tracker.db"),
                },
            }
        )
    )
    return path


async def measure(
    stack: Stack,
    rates: list[float],
    seconds: float,
    channels: list[str],
    rounds: int = 1,
    control: bool = False,
    random_arrivals: bool = False,
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """The baseline and each channel in `channels`, interleaved at each rate: their JSON
    lines, and the control way's line when `control` (the baseline run again)."""
    counts = await frames_per_turn(stack.base_url)
    agent = await load_baseline_agent(MODEL, write_baseline_endpoints(stack))
    baseline = AgentLoad(agent, counts)
    await baseline.warm_up()
    bench_pids = {"bench_process": os.getpid(), "actions": stack.actions.pid}
    again = AgentLoad(agent, counts, name=CONTROL) if control else None
    ws_url = stack.base_url.replace("http://", "ws://") + "/webhooks/webchat/ws"
    engine = make_engine(stack.database_url)
    try:
        loads: dict[str, WebChatLoad | SmsLoad] = {
            "web": WebChatLoad(ws_url, counts),
            "sms": SmsLoad(stack.base_url, engine),
        }
        ways: list[tuple[Any, dict[str, int]]] = [(baseline, bench_pids)]
        ways += [(loads[name], stack.pids()) for name in channels]
        ways += [(again, bench_pids)] if again else []
        with PeakRss(stack.pids()) as rss:
            steps = await interleaved_ladders(
                ways,
                rates,
                seconds,
                stack.pids(),
                {rate: rounds for rate in OVERHEAD_RATES},
                random_arrivals,
            )
    finally:
        engine.dispose()
        from rasa_patches import close_kept_sessions  # imports Rasa, as load_agent does

        await close_kept_sessions()  # the baseline agent's HTTP session to the action server
    base_steps = steps[baseline.name]
    bench_rss = {"bench_process": round(status_kib(os.getpid(), "VmHWM") / 1024, 1)}
    lines = [channel_line(baseline.name, base_steps, bench_rss)]
    for load in (loads[name] for name in channels):
        # The servers' peak memory over the whole run (the channels' steps interleave).
        line = channel_line(load.name, steps[load.name], rss.peak_mb())
        lines.append(add_overhead(line, steps[load.name], base_steps))
    control_line = None
    if again is not None:
        control_line = add_overhead(
            channel_line(CONTROL, steps[CONTROL], bench_rss),
            steps[CONTROL],
            base_steps,
            cpu_of="bench_process",
        )
    return lines, control_line


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="End-to-end load benchmark on loopback")
    parser.add_argument(
        "--rates",
        default=",".join(f"{r:g}" for r in DEFAULT_RATES),
        help="offered rates in messages a second, comma-separated",
    )
    # Steps of 10 s hid a queue that grew slowly at 45/s; 20 s show it.
    parser.add_argument("--step-seconds", type=float, default=20.0)
    parser.add_argument(
        "--rounds",
        type=int,
        default=DEFAULT_ROUNDS,
        help="rounds of each way, taking turns, at 25/s and 50/s",
    )
    parser.add_argument(
        "--control",
        action="store_true",
        help="run the baseline a second time as if it were a channel: "
        "its overhead shows what the machine's noise alone gives",
    )
    parser.add_argument(
        "--random-arrivals",
        action="store_true",
        help="messages arrive at random moments, in bursts (a Poisson "
        "process), instead of evenly spaced",
    )
    parser.add_argument(
        "--channels",
        default="web,sms",
        help="which channels to load besides the baseline: web, sms or both",
    )
    args = parser.parse_args(argv)
    channels = [c.strip() for c in args.channels.split(",") if c.strip()]
    rates = sorted({float(r) for r in args.rates.split(",") if r.strip()} | {REPORT_RATE})
    if not 0 < args.step_seconds <= 60 or not all(0 < r <= 500 for r in rates):
        parser.error("step seconds must be in (0, 60] and rates in (0, 500]")
    if not channels or any(c not in ("web", "sms") for c in channels):
        parser.error("channels must be web, sms or web,sms")
    if not 1 <= args.rounds <= 10:
        parser.error("rounds must be from 1 to 10")
    started = time.monotonic()
    with (
        tempfile.TemporaryDirectory(prefix="council-load-") as tmp,
        running_stack(Path(tmp)) as stack,
    ):
        lines, control = asyncio.run(
            measure(
                stack,
                rates,
                args.step_seconds,
                channels,
                args.rounds,
                args.control,
                args.random_arrivals,
            )
        )
    for line in lines + ([control] if control else []):
        print(json.dumps(line), flush=True)
    print(json.dumps(summary(lines, time.monotonic() - started, control)), flush=True)


if __name__ == "__main__":
    main()
