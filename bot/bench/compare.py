"""Compare NLU pipelines on the held-out set (the measurements behind config.yml).

    python -m bot.bench.compare CONFIG [CONFIG ...]

Each config is trained on data/nlu only (no dialogue) into a temporary directory and
scored on tests/nlu/heldout; a JSON line per config gives training time, accuracy and the
out-of-scope answer rate at a range of fallback thresholds.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

from bot.bench.evaluation import NON_ANSWERS, parse_all
from bot.bench.examples import read_examples
from bot.bench.heldout import HELDOUT_DIR
from bot.settings import PROJECT_ROOT

THRESHOLDS = (0.0, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6)
AMBIGUITY = (0.0, 0.05, 0.1)


def sweep(examples, parsed) -> dict[str, dict[str, float]]:
    """Effective accuracy and out-of-scope answer rate for each fallback threshold and
    ambiguity threshold (the top two intents closer than it go to the fallback)."""
    out = {}
    for threshold, ambiguity in [(t, a) for t in THRESHOLDS for a in AMBIGUITY]:
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
        out[f"{threshold}/{ambiguity}"] = {"accuracy": round(correct / len(examples), 4),
                               "oos_answer_rate": round(oos_answered / max(oos, 1), 4)}
    return out


def train(config: Path, out_dir: Path) -> tuple[Path, float]:
    from rasa.model_training import train_nlu

    start = time.perf_counter()
    model = train_nlu(str(config), str(PROJECT_ROOT / "data" / "nlu"), str(out_dir),
                      fixed_model_name="nlu")
    return Path(str(model)), time.perf_counter() - start


def main(argv: list[str] | None = None) -> None:
    configs = [Path(p) for p in (argv if argv is not None else sys.argv[1:])]
    examples = read_examples(sorted(HELDOUT_DIR.glob("*.yml")))
    for config in configs:
        with tempfile.TemporaryDirectory() as out_dir:
            model, seconds = train(config, Path(out_dir))
            parsed, latencies = asyncio.run(parse_all(model, [e.text for e in examples]))
        print(json.dumps({"config": config.name, "training_seconds": round(seconds, 1),
                          "sweep": sweep(examples, parsed)}), flush=True)


if __name__ == "__main__":
    main()
