"""Compare NLU pipelines, and sweep the fallback threshold (the measurements behind config.yml).

    python -m bot.bench.compare CONFIG [CONFIG ...] [--examples tests/nlu/dev]
    python -m bot.bench.compare --model /tmp/m.tar.gz --examples tests/nlu/dev

Each config is trained on data/nlu only (no dialogue) into a temporary directory; with
--model an already trained model is swept instead (no training). The labelled set is the
held-out set unless --examples names another (choose the threshold on the development set,
tests/nlu/dev; the held-out set is for the final figure only). A JSON line per config or model
gives training time, accuracy and the out-of-scope answer rate at a range of fallback thresholds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from bot.bench.evaluation import NON_ANSWERS, parse_all
from bot.bench.examples import Example, read_examples
from bot.bench.heldout import HELDOUT_DIR
from bot.settings import PROJECT_ROOT

THRESHOLDS = (0.0, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6)
AMBIGUITY = (0.0, 0.05, 0.1)


def sweep(
    examples: list[Example],
    parsed: list[dict[str, Any]],
    thresholds: tuple[float, ...] = THRESHOLDS,
    ambiguities: tuple[float, ...] = AMBIGUITY,
) -> dict[str, dict[str, float]]:
    """Effective accuracy and out-of-scope answer rate for each fallback threshold and
    ambiguity threshold (the top two intents closer than it go to the fallback)."""
    out = {}
    for threshold, ambiguity in [(t, a) for t in thresholds for a in ambiguities]:
        correct = oos = oos_answered = 0
        for example, result in zip(examples, parsed, strict=True):
            ranking = [r for r in result.get("intent_ranking") or [] if r["name"] != "nlu_fallback"]
            top = ranking[0] if ranking else result["intent"]
            second = ranking[1]["confidence"] if len(ranking) > 1 else 0.0
            confident = (top.get("confidence") or 0) >= threshold
            clear = (top.get("confidence") or 0) - second >= ambiguity
            guess = top["name"] if confident and clear else "nlu_fallback"
            if example.intent == "out_of_scope":
                oos += 1
                oos_answered += guess not in NON_ANSWERS
                correct += guess in NON_ANSWERS
            else:
                correct += guess == example.intent
        out[f"{threshold}/{ambiguity}"] = {
            "accuracy": round(correct / len(examples), 4),
            "oos_answer_rate": round(oos_answered / max(oos, 1), 4),
        }
    return out


def train(config: Path, out_dir: Path) -> tuple[Path, float]:
    """Train `config` on data/nlu into `out_dir`; returns the model path and seconds taken."""
    from rasa.model_training import train_nlu

    start = time.perf_counter()
    model = train_nlu(
        str(config), str(PROJECT_ROOT / "data" / "nlu"), str(out_dir), fixed_model_name="nlu"
    )
    return Path(str(model)), time.perf_counter() - start


def _floats(text: str) -> tuple[float, ...]:
    return tuple(float(part) for part in text.split(",") if part.strip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Compare NLU configs, sweep the threshold")
    parser.add_argument("configs", nargs="*", type=Path, help="config files to train and compare")
    parser.add_argument(
        "--model",
        type=Path,
        action="append",
        default=[],
        help="sweep an already trained model instead of training (repeatable)",
    )
    parser.add_argument(
        "--examples",
        type=Path,
        default=HELDOUT_DIR,
        help="the folder of labelled examples (default: the held-out set)",
    )
    parser.add_argument(
        "--thresholds",
        type=_floats,
        default=THRESHOLDS,
        help="comma-separated fallback thresholds to try",
    )
    parser.add_argument(
        "--ambiguity",
        type=_floats,
        default=AMBIGUITY,
        help="comma-separated ambiguity thresholds to try",
    )
    args = parser.parse_args(argv)
    if not args.configs and not args.model:
        parser.error("give at least one CONFIG or --model")
    examples = read_examples(sorted(args.examples.glob("*.yml")))
    if not examples:
        parser.error(f"no labelled examples in {args.examples}")
    texts = [e.text for e in examples]
    for model in args.model:
        parsed, _ = asyncio.run(parse_all(model, texts))
        print(
            json.dumps(
                {
                    "model": str(model),
                    "examples": str(args.examples),
                    "sweep": sweep(examples, parsed, args.thresholds, args.ambiguity),
                }
            ),
            flush=True,
        )
    for config in args.configs:
        with tempfile.TemporaryDirectory() as out_dir:
            trained, seconds = train(config, Path(out_dir))
            parsed, _ = asyncio.run(parse_all(trained, texts))
        print(
            json.dumps(
                {
                    "config": config.name,
                    "examples": str(args.examples),
                    "training_seconds": round(seconds, 1),
                    "sweep": sweep(examples, parsed, args.thresholds, args.ambiguity),
                }
            ),
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
