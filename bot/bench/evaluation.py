"""Score a trained model on labelled examples: accuracy, macro-F1, out-of-scope answers."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from statistics import quantiles
from typing import Any

from bot.bench.examples import Example

# Not a council answer: the resident is told it is out of scope, or asked to rephrase.
NON_ANSWERS = {"out_of_scope", "nlu_fallback"}


@dataclass
class Scores:
    accuracy: float
    accuracy_before_fallback: float
    macro_f1: float
    examples: int
    out_of_scope_examples: int
    out_of_scope_answered: int
    in_scope_sent_to_fallback: int
    errors: list[dict[str, Any]] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)

    @property
    def out_of_scope_answer_rate(self) -> float:
        """Share of out-of-scope messages that got a council answer (lower is better)."""
        if not self.out_of_scope_examples:
            return 0.0
        return self.out_of_scope_answered / self.out_of_scope_examples

    def latency(self, percentile: int) -> float:
        if len(self.latencies_ms) < 2:
            return self.latencies_ms[0] if self.latencies_ms else 0.0
        return quantiles(self.latencies_ms, n=100, method="inclusive")[percentile - 1]


def macro_f1(pairs: list[tuple[str, str]]) -> float:
    """Macro-averaged F1 over the gold labels (a fallback counts as a wrong label)."""
    labels = sorted({gold for gold, _ in pairs})
    true_pos: Counter[str] = Counter()
    predicted: Counter[str] = Counter()
    gold_count: Counter[str] = Counter()
    for gold, guess in pairs:
        gold_count[gold] += 1
        predicted[guess] += 1
        if gold == guess:
            true_pos[gold] += 1
    f1s = []
    for label in labels:
        precision = true_pos[label] / predicted[label] if predicted[label] else 0.0
        recall = true_pos[label] / gold_count[label] if gold_count[label] else 0.0
        f1s.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return sum(f1s) / len(f1s) if f1s else 0.0


def is_correct(gold: str, guess: str) -> bool:
    # An out-of-scope message answered with "please rephrase" is handled honestly too.
    return gold == guess or (gold == "out_of_scope" and guess in NON_ANSWERS)


def quiet_rasa_logs() -> None:
    """Rasa's structured debug log goes to stdout, one line per message with its text: keep
    it to warnings, so a scoring run prints its figures and nothing of the examples."""
    import logging

    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)


async def parse_all(model: Path, texts: list[str]) -> tuple[list[dict[str, Any]], list[float]]:
    from rasa.core.agent import Agent

    quiet_rasa_logs()
    agent = Agent.load(str(model))
    results, latencies = [], []
    for text in texts:
        start = time.perf_counter()
        results.append(await agent.parse_message(text))
        latencies.append((time.perf_counter() - start) * 1000)
    return results, latencies


def score(model: Path, examples: list[Example]) -> Scores:
    parsed, latencies = asyncio.run(parse_all(model, [e.text for e in examples]))
    pairs, raw_correct, correct, oos, oos_answered, sent_to_fallback = [], 0, 0, 0, 0, 0
    errors = []
    for example, result in zip(examples, parsed, strict=True):
        guess = result["intent"]["name"]
        ranking = result.get("intent_ranking") or [result["intent"]]
        raw_guess = next((r["name"] for r in ranking if r["name"] != "nlu_fallback"), guess)
        right = is_correct(example.intent, guess)
        pairs.append((example.intent, example.intent if right else guess))
        raw_correct += raw_guess == example.intent
        if is_correct(example.intent, guess):
            correct += 1
        else:
            errors.append(
                {
                    "text": example.text,
                    "expected": example.intent,
                    "got": guess,
                    "confidence": round(float(result["intent"].get("confidence") or 0), 3),
                    "file": example.source,
                }
            )
        if example.intent == "out_of_scope":
            oos += 1
            oos_answered += guess not in NON_ANSWERS
        elif guess == "nlu_fallback":
            sent_to_fallback += 1
    total = len(examples)
    return Scores(
        accuracy=correct / total,
        accuracy_before_fallback=raw_correct / total,
        macro_f1=macro_f1(pairs),
        examples=total,
        out_of_scope_examples=oos,
        out_of_scope_answered=oos_answered,
        in_scope_sent_to_fallback=sent_to_fallback,
        errors=errors,
        latencies_ms=latencies,
    )
