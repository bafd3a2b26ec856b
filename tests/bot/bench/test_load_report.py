"""The load benchmark's report lines: figures at 25/s, the ladder, the channel's overhead."""

from __future__ import annotations

import pytest

from bot.bench.load_report import add_overhead, channel_line, overhead_by_rate, summary
from bot.bench.residents import step_sends
from bot.bench.schedule import Send, StepResult, highest_sustained, pooled


def step(rate: float, latency: float, cpu: dict[str, float]) -> StepResult:
    sent = int(rate * 2)
    return StepResult(
        rate=rate,
        sent=sent,
        latencies_ms=[latency] * sent,
        errors=0,
        lost=0,
        seconds=2.0,
        cpu_ms_per_message=cpu,
    )


def test_overhead_is_the_channel_over_the_baseline_at_each_rate_both_ran() -> None:
    base = [step(10, 50, {"bench_process": 20.0}), step(25, 80, {"bench_process": 20.0})]
    channel = [step(10, 60, {"rasa": 25.0})]
    assert overhead_by_rate(channel, base) == {
        "10": {"p95": 1.2, "p95_rounds": [1.2], "p95_pooled": 1.2, "cpu": 1.25}
    }


def test_with_rounds_the_overhead_is_the_median_of_the_rounds_compared_in_pairs() -> None:
    # One slow baseline round sets the pooled p95 (the top 5% are all its own), not the median.
    base = pooled(
        [
            step(50, 20, {"bench_process": 10.0}),
            step(50, 30, {"bench_process": 10.0}),
            step(50, 20, {"bench_process": 10.0}),
        ]
    )
    channel = pooled(
        [step(50, 22, {"rasa": 11.0}), step(50, 21, {"rasa": 11.0}), step(50, 30, {"rasa": 11.0})]
    )
    assert overhead_by_rate([channel], [base]) == {
        "50": {"p95": 1.1, "p95_rounds": [1.1, 0.7, 1.5], "p95_pooled": 1.0, "cpu": 1.1}
    }


def test_a_channel_line_reports_the_figures_at_25_per_second_and_the_highest_sustained() -> None:
    steps = [step(10, 40, {}), step(25, 90, {}), step(50, 5_000, {})]
    line = channel_line("websocket", steps, {"rasa": 600.0})
    assert (line["p95_ms"], line["at_rate"], line["max_sustained_rate"]) == (90.0, 25.0, 25.0)
    assert [s["rate"] for s in line["steps"]] == [10, 25, 50]
    base = [step(10, 40, {}), step(25, 60, {}), step(50, 70, {})]
    line = add_overhead(line, steps, base)
    assert line["overhead_vs_handle_text_p95"] == 1.5
    assert line["overhead_p95_at_sustained"]["rate"] == 25.0  # the highest both sustained
    assert line["overhead_p95_at_sustained"]["p95"] == 1.5


def test_the_summary_judges_overhead_at_25_and_50_per_second() -> None:
    base_line = channel_line("handle_text", [step(25, 100, {})], {})
    line = channel_line("sms", [step(25, 110, {}), step(50, 150, {})], {})
    line["overhead_by_rate"] = {"25": {"p95": 1.1}, "50": {"p95": 1.19}, "75": {"p95": 4.0}}
    met = summary([base_line, line], 1.0)["met"]["sms"]
    assert met == {
        "p95_under_250ms_at_25": True,
        "sustains_50_per_s": True,
        "overhead_under_1_2x_at_25_and_50": True,
    }
    line["overhead_by_rate"]["50"] = {"p95": 1.21}
    assert not summary([base_line, line], 1.0)["met"]["sms"]["overhead_under_1_2x_at_25_and_50"]
    del line["overhead_by_rate"]["50"]  # not measured at 50/s: not met
    assert not summary([base_line, line], 1.0)["met"]["sms"]["overhead_under_1_2x_at_25_and_50"]


def test_the_control_way_is_reported_as_noise_and_never_judged() -> None:
    base_line = channel_line("handle_text", [step(25, 100, {})], {})
    control = channel_line("handle_text_control", [step(25, 130, {})], {})
    control["overhead_by_rate"] = {"25": {"p95": 1.3}, "50": {"p95": 0.9}}
    result = summary([base_line], 1.0, control)
    assert result["control_overhead_p95"] == {"25": 1.3, "50": 0.9}
    assert result["met"] == {}


class _Way:
    """A load whose steps stop being sustained above `limit` messages a second."""

    def __init__(self, name: str, limit: float, calls: list[tuple[str, float]]) -> None:
        self.name, self.limit, self.calls = name, limit, calls
        self.sends: list[list[Send]] = []

    async def run_step(self, rate: float, sends: list[Send]) -> StepResult:
        self.calls.append((self.name, rate))
        self.sends.append(sends)
        return step(rate, 50 if rate <= self.limit else 5_000, {})


async def test_the_ways_take_turns_at_each_rate_and_each_stops_at_its_first_failure(
    monkeypatch,
) -> None:
    from bot.bench import load

    monkeypatch.setattr(load, "PAUSE_SECONDS", 0.0)
    calls: list[tuple[str, float]] = []
    ways = [
        (_Way(name, limit, calls), {})
        for name, limit in (("handle_text", 75), ("websocket", 50), ("sms", 10))
    ]
    steps = await load.interleaved_ladders(ways, [10, 25, 50, 75, 100], 1.0, {})
    reported = [c for c in calls if c[1] != 2.0]  # each way's warm-up step is not reported
    assert reported == [
        ("handle_text", 10),
        ("websocket", 10),
        ("sms", 10),
        ("handle_text", 25),
        ("websocket", 25),
        ("sms", 25),  # sms fails here and stops
        ("handle_text", 50),
        ("websocket", 50),
        ("handle_text", 75),
        ("websocket", 75),  # websocket fails here and stops
        ("handle_text", 100),
    ]
    assert [s.rate for s in steps["sms"]] == [10, 25]
    assert [highest_sustained(steps[name]) for name in ("handle_text", "websocket", "sms")] == [
        75,
        50,
        10,
    ]


async def test_at_the_rates_given_the_ways_take_turns_in_rounds_that_are_pooled(
    monkeypatch,
) -> None:
    from bot.bench import load

    monkeypatch.setattr(load, "PAUSE_SECONDS", 0.0)
    calls: list[tuple[str, float]] = []
    ways = [(_Way(name, 100, calls), {}) for name in ("handle_text", "web", "sms")]
    steps = await load.interleaved_ladders(ways, [10, 25], 1.0, {}, {25: 3})
    assert [c for c in calls if c[1] != 2.0] == [
        ("handle_text", 10),
        ("web", 10),
        ("sms", 10),
        # each round starts one way further on
        ("handle_text", 25),
        ("web", 25),
        ("sms", 25),
        ("web", 25),
        ("sms", 25),
        ("handle_text", 25),
        ("sms", 25),
        ("handle_text", 25),
        ("web", 25),
    ]
    assert [(s.rate, s.sent, len(s.latencies_ms), len(s.rounds)) for s in steps["sms"]] == [
        (10, 20, 20, 1),
        (25, 150, 150, 3),
    ]


def test_pooled_rounds_add_up_and_average_cpu_by_messages() -> None:
    first = StepResult(
        rate=50,
        sent=100,
        latencies_ms=[10.0] * 100,
        errors=0,
        lost=1,
        seconds=2.0,
        cpu_ms_per_message={"rasa": 10.0},
    )
    second = StepResult(
        rate=50,
        sent=300,
        latencies_ms=[30.0] * 300,
        errors=2,
        lost=0,
        seconds=6.0,
        cpu_ms_per_message={"rasa": 14.0, "actions": 2.0},
    )
    both = pooled([first, second])
    assert (both.sent, both.errors, both.lost, both.seconds) == (400, 2, 1, 8.0)
    assert sorted(both.latencies_ms) == [10.0] * 100 + [30.0] * 300
    assert both.cpu_ms_per_message == {"actions": 1.5, "rasa": 13.0}
    assert both.pct(50) == 30.0 and not both.sustained  # failures in any round count
    assert both.rounds == [first, second]
    with pytest.raises(ValueError):
        pooled(
            [first, StepResult(rate=25, sent=1, latencies_ms=[1.0], errors=0, lost=0, seconds=1.0)]
        )


async def test_the_ways_of_a_round_are_given_the_same_messages(monkeypatch) -> None:
    from bot.bench import load

    monkeypatch.setattr(load, "PAUSE_SECONDS", 0.0)
    ways = [(_Way(name, 100, []), {}) for name in ("handle_text", "websocket", "sms")]
    await load.interleaved_ladders(ways, [25, 50], 1.0, {}, {25: 2})
    (base, _), (web, _), (sms, _) = ways
    assert base.sends == web.sends == sms.sends  # warm-up, 25/s twice, 50/s
    assert base.sends[1] == step_sends(25, 1.0)  # evenly spaced unless asked
    assert len(base.sends[3]) == 50


async def test_with_random_arrivals_the_ways_of_a_round_share_its_arrivals(monkeypatch) -> None:
    from bot.bench import load

    monkeypatch.setattr(load, "PAUSE_SECONDS", 0.0)
    ways = [(_Way(name, 100, []), {}) for name in ("handle_text", "sms")]
    await load.interleaved_ladders(ways, [25], 1.0, {}, {25: 3}, random_arrivals=True)
    (base, _), (sms, _) = ways
    assert base.sends[1:] == sms.sends[1:]  # after each way's warm-up step
    moments = [tuple(send.at for send in sends) for sends in base.sends[1:]]
    assert len(set(moments)) == 3  # each round its own arrivals
    assert all(sends != step_sends(25, 1.0) for sends in base.sends[1:])
