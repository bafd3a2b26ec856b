"""Grouping short texts by shared keywords in near-linear time, for unanswered questions.

Each text is a set of keywords weighted by inverse document frequency (a word in few texts
says more about them). Texts are taken in order; each is compared, by cosine similarity,
with the groups already made that share one of its keywords, found through an index from
keyword to the groups most recently joined by a text with it (`RECENT_GROUPS_PER_WORD`
per keyword at most). It joins the most similar group when the similarity reaches
`similarity`, else starts a group; a text with the same keywords as an earlier one joins
that one's group at once. So the work per text is bounded by its keywords, not by the
number of texts: all-pairs clustering took 65 s for 3,000 questions.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence

RECENT_GROUPS_PER_WORD = 40


class _Group:
    """Members (indexes) and the sum of their weighted keyword vectors, with its norm."""

    __slots__ = ("members", "weights", "norm_squared")

    def __init__(self) -> None:
        self.members: list[int] = []
        self.weights: dict[str, float] = defaultdict(float)
        self.norm_squared = 0.0

    def similarity(self, vector: dict[str, float], norm: float) -> float:
        dot = sum(weight * self.weights.get(word, 0.0) for word, weight in vector.items())
        if dot <= 0.0:
            return 0.0
        return dot / (norm * math.sqrt(self.norm_squared))

    def add(self, index: int, vector: dict[str, float]) -> None:
        self.members.append(index)
        for word, weight in vector.items():
            before = self.weights[word]
            self.norm_squared += 2 * before * weight + weight * weight
            self.weights[word] = before + weight


def group_by_keywords(keywords: Sequence[set[str]], similarity: float) -> list[list[int]]:
    """Indexes of `keywords` (one set per text) in groups of similar texts, each group in
    text order, groups in the order they started; texts without keywords form one group."""
    counts = Counter(word for words in keywords for word in words)
    total = len(keywords)
    idf = {word: math.log((1 + total) / (1 + count)) + 1.0 for word, count in counts.items()}
    groups: list[_Group] = []
    recent: dict[str, list[int]] = defaultdict(list)  # keyword -> groups, newest last
    no_keywords: list[int] = []
    same_words: dict[frozenset[str], int] = {}  # texts with the same keywords: one group
    for index, words in enumerate(keywords):
        if not words:
            no_keywords.append(index)
            continue
        vector = {word: idf[word] for word in words}
        known = same_words.get(frozenset(words))
        if known is not None:
            groups[known].add(index, vector)
            continue
        norm = math.sqrt(sum(weight * weight for weight in vector.values()))
        candidates = {g for word in words for g in recent[word][-RECENT_GROUPS_PER_WORD:]}
        best, best_score = -1, similarity
        for candidate in sorted(candidates):
            score = groups[candidate].similarity(vector, norm)
            if score >= best_score:
                best, best_score = candidate, score
        if best < 0:
            best = len(groups)
            groups.append(_Group())
        groups[best].add(index, vector)
        same_words[frozenset(words)] = best
        for word in words:
            joined = recent[word]
            if not joined or joined[-1] != best:
                joined.append(best)
            if len(joined) > 4 * RECENT_GROUPS_PER_WORD:  # keep the index small
                del joined[:-RECENT_GROUPS_PER_WORD]
    found = [group.members for group in groups]
    return found + ([no_keywords] if no_keywords else [])
