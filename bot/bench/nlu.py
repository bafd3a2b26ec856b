"""`make bench`, NLU part: one JSON line of accuracy, safety and speed figures.

    python -m bot.bench.nlu [--model models/council.tar.gz]

- accuracy / macro_f1: on tests/nlu/heldout (never trained on); a message sent to the
  fallback counts as wrong unless it was out of scope.
- out_of_scope_answer_rate: share of out-of-scope messages that got a council answer.
- training_seconds: the last `make train` (models/.training_seconds).
- parse_ms p50/p99: one message at a time through the loaded model.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bot.bench.evaluation import score
from bot.bench.examples import read_examples
from bot.bench.heldout import DEFAULT_MODEL, HELDOUT_DIR


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="NLU benchmark")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    args = parser.parse_args(argv)
    examples = read_examples(sorted(HELDOUT_DIR.glob("*.yml")))
    # Parse twice: the first pass warms caches, the second is timed.
    score(args.model, examples[:50])
    scores = score(args.model, examples)
    seconds_file = args.model.parent / ".training_seconds"
    print(
        json.dumps(
            {
                "bench": "nlu",
                "heldout_examples": scores.examples,
                "accuracy": round(scores.accuracy, 4),
                "accuracy_before_fallback": round(scores.accuracy_before_fallback, 4),
                "macro_f1": round(scores.macro_f1, 4),
                "out_of_scope_examples": scores.out_of_scope_examples,
                "out_of_scope_answer_rate": round(scores.out_of_scope_answer_rate, 4),
                "in_scope_sent_to_fallback": scores.in_scope_sent_to_fallback,
                "training_seconds": int(seconds_file.read_text())
                if seconds_file.exists()
                else None,
                "parse_ms_p50": round(scores.latency(50), 2),
                "parse_ms_p99": round(scores.latency(99), 2),
            }
        )
    )


if __name__ == "__main__":
    main()
