"""`make bench`, understanding part: unrelated questions and everyday replies. One JSON line.

    python -m bot.bench.understanding [--model models/council.tar.gz] [--split test|dev]
        [--examples]

Two yardsticks written apart from the training data and never trained on
(tests/nlu/understanding/, issue #23):

- `unrelated.yml`: questions that are not council business. `unrelated_answered_rate` is
  the share that got an answer: the same rule as the held-out bench's
  `out_of_scope_answer_rate` (bot/bench/evaluation.py NON_ANSWERS): anything the model
  did not send to `out_of_scope` or `nlu_fallback` counts as answered, a council intent,
  an urgent label or an everyday one alike. `unrelated_answered_by` splits that count.
- `everyday.yml`: everyday replies labelled greet, goodbye, thank, affirm, deny,
  bot_challenge, what_can_you_do, request_human. Recognised when the intent after the
  fallback classifier equals the label.

parse_ms_p50/p99: one message at a time through the loaded model, over both sets, after a
warm-up pass that is not timed. `--examples` prints every miss (above the JSON line) for a
look at what goes wrong: never tune on the test sets (see tests/nlu/understanding/README.md).
`--split dev` measures the development sets (`unrelated_dev.yml`, `everyday_dev.yml`)
instead: those are for error analysis and tuning.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections import Counter
from pathlib import Path
from statistics import quantiles
from typing import Any

import yaml

from bot.bench.evaluation import NON_ANSWERS, parse_all
from bot.bench.examples import Example, read_examples
from bot.bench.heldout import DEFAULT_MODEL
from bot.safety.labels import URGENT
from bot.settings import PROJECT_ROOT

UNDERSTANDING_DIR = PROJECT_ROOT / "tests" / "nlu" / "understanding"
UNRELATED = UNDERSTANDING_DIR / "unrelated.yml"
EVERYDAY = UNDERSTANDING_DIR / "everyday.yml"
UNRELATED_DEV = UNDERSTANDING_DIR / "unrelated_dev.yml"
EVERYDAY_DEV = UNDERSTANDING_DIR / "everyday_dev.yml"
EVERYDAY_INTENTS = (
    "greet",
    "goodbye",
    "thank",
    "affirm",
    "deny",
    "bot_challenge",
    "what_can_you_do",
    "request_human",
)
WARM_UP = 50


def unrelated_domains(path: Path = UNRELATED) -> dict[str, list[str]]:
    """The unrelated questions of each walk of life (`domain` of each block)."""
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    domains: dict[str, list[str]] = {}
    for block in document.get("nlu", []):
        lines = str(block.get("examples", "")).splitlines()
        texts = [line.strip()[2:].strip() for line in lines if line.strip().startswith("- ")]
        domains.setdefault(str(block.get("domain", "")), []).extend(texts)
    return domains


def kind_of(intent: str) -> str:
    """What an answer to an unrelated question was: urgent, everyday, or council."""
    if intent in URGENT:
        return "urgent"
    if intent in EVERYDAY_INTENTS:
        return "everyday"
    return "council"


def percentile(values: list[float], pct: int) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return quantiles(values, n=100, method="inclusive")[pct - 1]


def measure(
    model: Path, unrelated: list[Example], everyday: list[Example], split: str = "test"
) -> tuple[dict[str, Any], list[str]]:
    """The figures, and one line for every miss."""
    texts = [e.text for e in unrelated + everyday]
    parsed, latencies = asyncio.run(parse_all(model, texts[:WARM_UP] + texts))
    parsed, latencies = parsed[WARM_UP:], latencies[WARM_UP:]
    guesses = [str(result["intent"]["name"]) for result in parsed]
    confidences = [float(result["intent"].get("confidence") or 0) for result in parsed]
    misses: list[str] = []

    answered_by: Counter[str] = Counter()
    for i, example in enumerate(unrelated):
        if guesses[i] not in NON_ANSWERS:
            answered_by[kind_of(guesses[i])] += 1
            misses.append(f"  ANSWERED {guesses[i]:>26} ({confidences[i]:.3f}) {example.text!r}")

    offset = len(unrelated)
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for j, example in enumerate(everyday):
        guess = guesses[offset + j]
        total[example.intent] += 1
        if guess == example.intent:
            right[example.intent] += 1
        else:
            misses.append(
                f"  MISS {example.intent:>15} -> {guess:<26} "
                f"({confidences[offset + j]:.3f}) {example.text!r}"
            )

    answered = sum(answered_by.values())
    figures = {
        "bench": "understanding",
        "split": split,
        "unrelated_examples": len(unrelated),
        "unrelated_answered": answered,
        "unrelated_answered_rate": round(answered / len(unrelated), 4) if unrelated else 0.0,
        "unrelated_answered_by": {k: answered_by[k] for k in ("council", "urgent", "everyday")},
        "everyday_examples": len(everyday),
        "everyday_recognised": sum(right.values()),
        "everyday_recognised_rate": round(sum(right.values()) / len(everyday), 4)
        if everyday
        else 0.0,
        "everyday_by_intent": {
            intent: round(right[intent] / total[intent], 3) for intent in sorted(total)
        },
        "parse_ms_p50": round(percentile(latencies, 50), 2),
        "parse_ms_p99": round(percentile(latencies, 99), 2),
    }
    return figures, misses


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Unrelated questions and everyday replies")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument(
        "--examples",
        action="store_true",
        help="print every miss (on the test split for a look only: never tune on it)",
    )
    parser.add_argument(
        "--split",
        choices=("test", "dev"),
        default="test",
        help="test: the yardsticks (default); dev: the development sets, for tuning",
    )
    args = parser.parse_args(argv)
    dev = args.split == "dev"
    unrelated = read_examples([UNRELATED_DEV if dev else UNRELATED])
    everyday = read_examples([EVERYDAY_DEV if dev else EVERYDAY])
    figures, misses = measure(args.model, unrelated, everyday, args.split)
    if args.examples:
        print("\n".join(misses))
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
