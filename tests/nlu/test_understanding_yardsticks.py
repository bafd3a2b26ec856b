"""The understanding yardsticks of issue #23 (tests/nlu/understanding/) keep their sizes and
coverage, and stay unseen: none of their sentences is in the training data or another set."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from bot.bench.examples import read_examples
from bot.bench.understanding import (
    EVERYDAY,
    EVERYDAY_DEV,
    EVERYDAY_INTENTS,
    UNRELATED,
    UNRELATED_DEV,
    unrelated_domains,
)

ROOT = Path(__file__).resolve().parents[2]
UNDERSTANDING = ROOT / "tests/nlu/understanding"

# The walks of life the issue asks for, each with at least this many questions.
DOMAINS = (
    "banking",
    "travel",
    "cooking",
    "phones",
    "sport",
    "health",
    "shopping",
    "smart_home",
    "small_talk",
    "weather",
    "jobs",
    "maths",
    "films_music",
    "cars",
    "pets",
    "school_homework",
    "technology",
    "law",
    "diy",
)
MIN_PER_DOMAIN = 50
# Words a council message would use: near-miss unrelated questions share them.
COUNCIL_WORDS = re.compile(
    r"\b(bins?|bill|repair|report|contact|register|complain|parking|park|licence|tax|"
    r"collection|application|apply|plans|statement|contract|rent|road|light|school|noise|"
    r"permit|library|recycle|waste|fine|payment)\b"
)


def normalised(text: str) -> str:
    return re.sub(r"[^a-z0-9 ]", "", text.lower()).strip()


def sentences(node: Any) -> set[str]:
    """Every line of every string in a YAML document, normalised: NLU examples and plain
    lists (the safety sets) alike."""
    if isinstance(node, str):
        found = set()
        for line in node.splitlines():
            line = line.strip()
            line = line[2:] if line.startswith("- ") else line
            if line:
                found.add(normalised(line))
        return found
    if isinstance(node, dict):
        return set().union(*(sentences(v) for v in node.values())) if node else set()
    if isinstance(node, list):
        return set().union(*(sentences(v) for v in node)) if node else set()
    return set()


def sentences_of(paths: list[Path]) -> set[str]:
    found: set[str] = set()
    for path in paths:
        found |= sentences(yaml.safe_load(path.read_text(encoding="utf-8")))
    return found


def yardstick_texts() -> list[str]:
    return [e.text for e in read_examples([UNRELATED, EVERYDAY])]


def test_unrelated_questions_are_many_from_every_walk_of_life():
    unrelated = read_examples([UNRELATED])
    assert len(unrelated) >= 1500
    assert {e.intent for e in unrelated} == {"out_of_scope"}
    domains = unrelated_domains()
    assert sum(len(texts) for texts in domains.values()) == len(unrelated)
    small = {
        d: len(domains.get(d, [])) for d in DOMAINS if len(domains.get(d, [])) < MIN_PER_DOMAIN
    }
    assert small == {}


def test_many_unrelated_questions_are_near_misses_sharing_council_words():
    near_misses = [e.text for e in read_examples([UNRELATED]) if COUNCIL_WORDS.search(e.text)]
    assert len(near_misses) >= 100


def test_everyday_replies_cover_every_everyday_intent():
    everyday = read_examples([EVERYDAY])
    assert len(everyday) >= 400
    per_intent = Counter(e.intent for e in everyday)
    assert set(per_intent) == set(EVERYDAY_INTENTS)
    assert {i: n for i, n in per_intent.items() if n < 40} == {}


def test_everyday_labels_are_trained_intents():
    trained = {e.intent for e in read_examples(sorted((ROOT / "data/nlu").glob("*.yml")))}
    assert set(EVERYDAY_INTENTS) <= trained


def test_no_yardstick_sentence_is_repeated():
    counts = Counter(normalised(text) for text in yardstick_texts())
    assert [text for text, n in counts.items() if n > 1] == []


def test_no_yardstick_sentence_is_in_the_training_data():
    training = sentences_of(sorted((ROOT / "data").rglob("*.yml")))
    assert len(training) > 1000, "the training data was not found"
    assert [t for t in yardstick_texts() if normalised(t) in training] == []


def test_no_yardstick_sentence_is_in_another_test_set():
    # The development sets included: a sentence in both would leak tuning into the figure.
    others = sorted(
        path
        for path in (ROOT / "tests/nlu").rglob("*.yml")
        if UNDERSTANDING not in path.parents or path in (UNRELATED_DEV, EVERYDAY_DEV)
    )
    assert others, "the other test sets were not found"
    seen = sentences_of(others)
    assert [t for t in yardstick_texts() if normalised(t) in seen] == []


def test_the_development_sets_are_unseen_and_labelled_like_the_yardsticks():
    unrelated = read_examples([UNRELATED_DEV])
    everyday = read_examples([EVERYDAY_DEV])
    assert len(unrelated) >= 250 and {e.intent for e in unrelated} == {"out_of_scope"}
    per_intent = Counter(e.intent for e in everyday)
    assert set(per_intent) == set(EVERYDAY_INTENTS)
    assert min(per_intent.values()) >= 15
    training = sentences_of(sorted((ROOT / "data").rglob("*.yml")))
    assert [e.text for e in unrelated + everyday if normalised(e.text) in training] == []
