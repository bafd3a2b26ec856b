"""The words the training examples tie to each urgent label (bot/safety/vocabulary.py)."""

from __future__ import annotations

from pathlib import Path

from bot.safety.detector import NLU_DATA_DIR
from bot.safety.vocabulary import Vocabulary, read_vocabulary


def _write(directory: Path, blocks: dict[str, list[str]]) -> None:
    lines = ['version: "3.1"', "nlu:"]
    for intent, examples in blocks.items():
        lines += [f"- intent: {intent}", "  examples: |", *(f"    - {e}" for e in examples)]
    (directory / "nlu.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_a_word_used_mostly_for_a_label_points_to_it(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "homelessness": ["i've been evicted", "evicted today", "evicted and scared", "help me"],
            "school_admissions": ["school help", "scared of the school form"],
        },
    )
    vocabulary = read_vocabulary(tmp_path)
    assert "evicted" in vocabulary.label_words["homelessness"]
    # Too short, used once, or used as much for another intent: not the label's word.
    assert "help" not in vocabulary.label_words["homelessness"]
    assert "scared" not in vocabulary.label_words["homelessness"]
    assert {"school", "evicted", "help"} <= vocabulary.words


def test_the_vocabulary_survives_the_model_file(tmp_path: Path) -> None:
    _write(tmp_path, {"crisis_self_harm": ["suicidal thoughts", "feeling suicidal"]})
    vocabulary = read_vocabulary(tmp_path)
    assert Vocabulary.from_json(vocabulary.as_json()) == vocabulary


def test_the_projects_examples_tie_telling_words_to_each_label() -> None:
    words = read_vocabulary(NLU_DATA_DIR).label_words
    assert "evicted" in words["homelessness"] and "suicidal" in words["crisis_self_harm"]
    assert "manhole" in words["emergency_danger"] and "violent" in words["domestic_abuse"]
    assert "vulnerable" in words["safeguarding_concern"]
    # Council words are nobody's urgent word.
    assert not any(
        "council" in label_words or "bin" in label_words for label_words in words.values()
    )
