"""The held-out NLU set must never be trained on, or its accuracy figure means nothing."""

from __future__ import annotations

import re
from pathlib import Path

from bot.bench.examples import read_examples

ROOT = Path(__file__).resolve().parents[2]


def normalised(text: str) -> str:
    return re.sub(r"[^a-z0-9 ]", "", text.lower()).strip()


def test_no_held_out_example_is_in_the_training_data():
    training_files = sorted((ROOT / "data/nlu").glob("*.yml"))
    training = {normalised(e.text) for e in read_examples(training_files)}
    held_out = read_examples(sorted((ROOT / "tests/nlu/heldout").glob("*.yml")))
    assert held_out, "the held-out set is empty"
    assert [e.text for e in held_out if normalised(e.text) in training] == []


def test_every_held_out_label_is_a_trained_intent():
    trained = {e.intent for e in read_examples(sorted((ROOT / "data/nlu").glob("*.yml")))}
    held_out = {e.intent for e in read_examples(sorted((ROOT / "tests/nlu/heldout").glob("*.yml")))}
    assert held_out <= trained
