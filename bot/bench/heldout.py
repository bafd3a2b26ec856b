"""The held-out NLU test: fails when accuracy is below the minimum.

python -m bot.bench.heldout --min-accuracy 0.90 [--model models/council.tar.gz]
    [--examples tests/nlu/dev]   (another labelled set, e.g. the development set)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.bench.evaluation import score
from bot.bench.examples import read_examples
from bot.settings import PROJECT_ROOT

HELDOUT_DIR = PROJECT_ROOT / "tests" / "nlu" / "heldout"
DEFAULT_MODEL = PROJECT_ROOT / "models" / "council.tar.gz"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Held-out NLU test")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--min-accuracy", type=float, default=0.90)
    parser.add_argument("--max-oos-answer-rate", type=float, default=0.10)
    parser.add_argument("--show-errors", type=int, default=40)
    parser.add_argument(
        "--examples",
        type=Path,
        default=HELDOUT_DIR,
        help="the folder of labelled examples (default: the held-out set)",
    )
    args = parser.parse_args(argv)
    examples = read_examples(sorted(args.examples.glob("*.yml")))
    if not examples:
        print(f"no labelled examples in {args.examples}", file=sys.stderr)
        return 1
    scores = score(args.model, examples)
    for error in scores.errors[: args.show_errors]:
        print(
            f"  MISS {error['expected']:>26} -> {error['got']:<26} ({error['confidence']}) "
            f"{error['text']!r}"
        )
    summary = {
        "heldout_examples": scores.examples,
        "accuracy": round(scores.accuracy, 4),
        "accuracy_before_fallback": round(scores.accuracy_before_fallback, 4),
        "macro_f1": round(scores.macro_f1, 4),
        "out_of_scope_answer_rate": round(scores.out_of_scope_answer_rate, 4),
        "in_scope_sent_to_fallback": scores.in_scope_sent_to_fallback,
    }
    print(json.dumps(summary))
    failed = []
    if scores.accuracy < args.min_accuracy:
        failed.append(f"accuracy {scores.accuracy:.3f} < {args.min_accuracy}")
    if scores.out_of_scope_answer_rate > args.max_oos_answer_rate:
        failed.append(
            f"out-of-scope answer rate {scores.out_of_scope_answer_rate:.3f} "
            f"> {args.max_oos_answer_rate}"
        )
    if failed:
        print("held-out NLU test FAILED: " + "; ".join(failed), file=sys.stderr)
        return 1
    print("held-out NLU test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
