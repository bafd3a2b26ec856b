"""What the training examples say about words: every word the assistant knows, and the
words that point to each urgent label.

A word points to a label when it comes in at least MIN_COUNT of that label's examples and
at least SHARE of all its uses are in them (chosen on the development sets): "evicted" for
homelessness, "suicidal" for a crisis; not "less". The
classifier's own urgent guess needs such a word (bot/safety/detector.py): its character
n-grams find "homeless" in "useless" and "child" in "childhood".
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.safety.labels import URGENT
from bot.safety.normalise import plain_words

MIN_COUNT = 2
SHARE = 0.4
MIN_LENGTH = 4


@dataclass(frozen=True)
class Vocabulary:
    words: frozenset[str]
    label_words: dict[str, frozenset[str]]

    def as_json(self) -> dict[str, Any]:
        return {
            "words": sorted(self.words),
            "label_words": {k: sorted(v) for k, v in sorted(self.label_words.items())},
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Vocabulary:
        return cls(
            frozenset(raw.get("words") or []),
            {k: frozenset(v) for k, v in (raw.get("label_words") or {}).items()},
        )


def read_vocabulary(nlu_dir: Path) -> Vocabulary:
    """The vocabulary of the NLU training files in `nlu_dir`."""
    everywhere: Counter[str] = Counter()
    by_label: dict[str, Counter[str]] = {label: Counter() for label in URGENT}
    for path in sorted(nlu_dir.glob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            intent = str(block.get("intent") or "")
            for line in str(block.get("examples") or "").splitlines():
                words = set(plain_words(line.strip().lstrip("-")))
                everywhere.update(words)
                if intent in by_label:
                    by_label[intent].update(words)
    label_words = {
        label: frozenset(
            word
            for word, count in counts.items()
            if count >= MIN_COUNT
            and len(word) >= MIN_LENGTH
            and word.isalpha()
            and count / everywhere[word] >= SHARE
        )
        for label, counts in by_label.items()
    }
    return Vocabulary(frozenset(everywhere), label_words)
