"""The load benchmark's pure parts: the open-loop schedule, percentiles, sustained steps."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict

import pytest

from bot.bench.residents import SCRIPTS, script_lengths, sms_e164, sms_number, step_sends
from bot.bench.schedule import (
    SUSTAINED_P99_MS,
    StepResult,
    arrival_times,
    highest_sustained,
    open_loop_schedule,
    percentile,
)
from bot.rate_limits import KeyedRateLimit
from bot.settings import Settings
from channels.sms.rate_limit import RateLimiter
from channels.web.rate_limit import CONVERSATION_MESSAGES, CONVERSATION_WINDOW_SECONDS


def test_the_schedule_offers_rate_times_duration_messages_evenly_spaced() -> None:
    sends = open_loop_schedule(25, 10, 3.2, [5, 4])
    assert len(sends) == 250
    gaps = {round(b.at - a.at, 9) for a, b in zip(sends, sends[1:], strict=False)}
    assert gaps == {0.04}
    assert sends[0].at == 0


def test_with_a_seed_the_messages_arrive_at_random_moments() -> None:
    sends = open_loop_schedule(50, 20, 3.2, [5, 4], seed=7)
    assert len(sends) == 1000
    moments = [send.at for send in sends]
    assert moments == sorted(moments) and moments[0] >= 0 and moments[-1] < 20
    gaps = [b - a for a, b in zip(moments, moments[1:], strict=False)]
    mean = statistics.fmean(gaps)
    # As a Poisson process: gaps average 1/rate and spread as much (not evenly spaced) ...
    assert mean == pytest.approx(0.02, rel=0.05)
    assert statistics.pstdev(gaps) / mean == pytest.approx(1.0, abs=0.1)
    # ... and no second of the step is far from the rate.
    per_second = Counter(int(at) for at in moments)
    assert len(per_second) == 20 and min(per_second.values()) >= 25


def test_the_same_seed_gives_the_same_arrivals_and_another_seed_others() -> None:
    assert arrival_times(25, 10, 3) == arrival_times(25, 10, 3)
    assert arrival_times(25, 10, 3) != arrival_times(25, 10, 4)
    assert open_loop_schedule(25, 10, 3.2, [5, 4], 3) == open_loop_schedule(25, 10, 3.2, [5, 4], 3)


def test_no_conversation_sends_faster_than_the_minimum_gap() -> None:
    for seed in (None, 0, 1, 2, 3):
        sends = open_loop_schedule(100, 10, 6.5, script_lengths(), seed)
        times: dict[int, list[float]] = defaultdict(list)
        for send in sends:
            times[send.conversation].append(send.at)
        closest = min(b - a for ts in times.values() for a, b in zip(ts, ts[1:], strict=False))
        assert closest >= 6.5 - 1e-9
        assert len(times) < 1000  # residents hold conversations, not one message each


def test_each_conversation_follows_its_script_turn_by_turn_then_a_new_one_starts() -> None:
    lengths = [3, 2]
    sends = open_loop_schedule(2, 30, 1.0, lengths)
    turns: dict[int, list[int]] = defaultdict(list)
    scripts: dict[int, set[int]] = defaultdict(set)
    for send in sends:
        turns[send.conversation].append(send.turn)
        scripts[send.conversation].add(send.script)
    assert all(len(s) == 1 for s in scripts.values())
    for conversation, seen in turns.items():
        (script,) = scripts[conversation]
        assert seen == list(range(len(seen)))
        assert len(seen) <= lengths[script]
    # Finished conversations are replaced by new ones, so there are more than the lanes.
    assert len(turns) > 2


def test_a_bad_schedule_is_refused() -> None:
    with pytest.raises(ValueError):
        open_loop_schedule(0, 10, 1, [3])
    with pytest.raises(ValueError):
        open_loop_schedule(10, 10, 1, [])


def test_percentiles_interpolate_between_ranks() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == pytest.approx(50.5)
    assert percentile(values, 95) == pytest.approx(95.05)
    assert percentile(values, 100) == 100
    assert percentile([7.0], 99) == 7.0
    assert percentile([], 50) is None


def step(
    rate: float, errors: int = 0, lost: int = 0, latency: float = 100.0, seconds: float = 1.0
) -> StepResult:
    sent = int(rate)  # in one second, unless the load generator fell behind
    return StepResult(
        rate=rate,
        sent=sent,
        latencies_ms=[latency] * (sent - errors - lost),
        errors=errors,
        lost=lost,
        seconds=seconds,
    )


def test_a_step_with_an_error_a_lost_reply_or_a_growing_queue_is_not_sustained() -> None:
    assert step(10).sustained
    assert not step(10, errors=1).sustained
    assert not step(10, lost=1).sustained
    assert not step(10, latency=SUSTAINED_P99_MS + 1).sustained


def test_a_step_the_load_generator_could_not_offer_in_time_is_not_sustained() -> None:
    assert step(100, seconds=1.05).sustained  # 95.2 a second
    assert not step(100, seconds=1.09).sustained  # 91.7 a second: the rate was not offered


def test_the_highest_sustained_rate_stops_at_the_first_failing_step() -> None:
    assert highest_sustained([step(10), step(25), step(50, lost=2), step(75)]) == 25
    assert highest_sustained([step(10, errors=1), step(25)]) == 0


def test_scripts_greet_and_say_goodbye_and_sms_numbers_are_distinct() -> None:
    assert all(len(script) >= 3 for script in SCRIPTS)
    assert sms_number(17) == "07700900017"
    assert sms_e164(17) == "+447700900017"
    assert len({sms_e164(n) for n in range(1000)}) == 1000
    with pytest.raises(ValueError):
        sms_number(100_000)


@pytest.mark.parametrize("seed", [None, 3])
@pytest.mark.parametrize("rate", [10, 25, 50, 100])
def test_no_simulated_resident_is_held_back_by_either_channels_rate_limit(
    rate: float, seed: int | None
) -> None:
    # The limits as the channels make them: the SMS one per server from the settings'
    # default, the web chat's per conversation (the bench's address has no per-address
    # limit: bot/bench/stack.py lifts it, one address playing many residents).
    now = [0.0]
    texts = RateLimiter(Settings().sms_rate_limit_per_minute, clock=lambda: now[0])
    chats = KeyedRateLimit(CONVERSATION_MESSAGES, CONVERSATION_WINDOW_SECONDS, clock=lambda: now[0])
    for send in step_sends(rate, 60, seed):
        now[0] = send.at
        assert texts.allow(str(send.conversation)) and chats.allow(str(send.conversation))


def test_every_turn_of_every_script_is_sent_in_a_step() -> None:
    sends = step_sends(25, 20)
    assert {(send.script, send.turn) for send in sends} == {
        (script, turn) for script, turns in enumerate(SCRIPTS) for turn in range(len(turns))
    }
