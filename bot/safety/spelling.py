"""Forgiving small spelling slips in the long words of the urgent phrases.

"sucidal", "threatning", "evcited": a word of six letters or more that is not a word the
assistant knows, with the same first letter and one letter away (a letter missing, extra,
changed or two swapped) from a long word of the phrases, is read as that word. Found
through deletions (SymSpell), so each word costs a few dictionary look-ups, not a
comparison with every phrase word.

A dropped final g ("sleepin", "roughin", "thinkin") is put back when the word with it
is one the assistant knows and the word without it is not.
"""

from __future__ import annotations

from collections.abc import Iterable

MIN_LENGTH = 6


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class SpellingFixer:
    """Maps a slightly misspelt word to the phrase word it was meant to be."""

    def __init__(self, targets: Iterable[str], known: Iterable[str] = ()) -> None:
        self.targets = frozenset(t for t in targets if len(t) >= MIN_LENGTH)
        self.known = frozenset(known) | self.targets
        self._index: dict[str, set[str]] = {}
        for target in self.targets:
            for key in _deletions(target) | {target}:
                self._index.setdefault(key, set()).add(target)

    def fix(self, word: str) -> str:
        """The phrase word `word` was meant to be, or `word` itself."""
        if (
            len(word) >= 5
            and word.endswith("in")
            and word not in self.known
            and word + "g" in self.known
        ):
            return word + "g"
        if len(word) < MIN_LENGTH or word in self.known or not word.isalpha():
            return word
        candidates: set[str] = set()
        for key in _deletions(word) | {word}:
            candidates |= self._index.get(key, set())
        # People rarely slip on a word's first letter ("vaping" is not "raping"), and a slip
        # between two phrase words is not guessed at.
        candidates = {c for c in candidates if c[0] == word[0]}
        return next(iter(candidates)) if len(candidates) == 1 else word

    def fix_all(self, words: list[str]) -> list[str]:
        return [self.fix(word) for word in words]
