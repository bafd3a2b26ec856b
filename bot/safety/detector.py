"""Deciding whether a message is urgent: the phrases first, the classifier second.

`UrgentDetector.decide(text, intent, confidence)` takes the message and what the trained
classifier made of it, and says which urgent label the message must get, if any:

- a phrase of data/urgent/ matches: that label, whatever the classifier said (recall
  must not hang on one classifier's confidence);
- no phrase: an urgent label the classifier gives at least CLASSIFIER_MIN_CONFIDENCE,
  in a message with one of that label's cue words (even when another intent is ranked
  above it: recall first), or from CLASSIFIER_SURE (CLASSIFIER_TOP when it is the
  classifier's first choice) with a word the training examples tie to the label
  (bot/safety/vocabulary.py); unless one of the label's `not` phrases is in
  the message ("I could kill for a cup of tea");
- otherwise not urgent, and a classifier's urgent guess without a cue word is dropped
  (bot/nlp/urgent_override.py), so an unrelated question never raises an urgent ticket.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from bot.safety.normalise import numbers_as_hash, plain_words
from bot.safety.patterns import PATTERNS_DIR, LabelPatterns, load_patterns
from bot.safety.spelling import SpellingFixer
from bot.safety.vocabulary import Vocabulary, read_vocabulary

# The classifier alone raises urgency at this confidence with a cue word of the label, or
# at CLASSIFIER_SURE with a word its training examples tie to the label; never when a
# `not` phrase of the label is in the message. Chosen on the development sets
# (tests/nlu/safety/README.md); the test sets stay unseen.
CLASSIFIER_MIN_CONFIDENCE = 0.3
CLASSIFIER_SURE = 0.6
# As the label ranked first by the classifier: the confidence at which the fallback would
# have let it through (config.yml), so a word of the label's examples is all it needs.
CLASSIFIER_TOP = 0.46
NLU_DATA_DIR = PATTERNS_DIR.parent / "nlu"


@dataclass(frozen=True)
class UrgentDecision:
    """`label`: the urgent label the message gets (None: not urgent); `by`: "phrase" or
    "classifier"."""

    label: str | None = None
    by: str | None = None


class UrgentDetector:
    """The urgent phrases of every label, and the rule for the classifier's own guesses."""

    def __init__(self, patterns: tuple[LabelPatterns, ...], vocabulary: Vocabulary) -> None:
        self.patterns = patterns
        self.vocabulary = vocabulary
        targets: set[str] = set()
        others: set[str] = set()
        for label in patterns:
            targets |= label.words
            others |= label.other_words
        self.spelling = SpellingFixer(targets, vocabulary.words | (others - targets))

    def plain(self, text: str) -> str:
        """The text as the phrases see it: plain words, slips fixed, numbers as '#'."""
        words = self.spelling.fix_all(plain_words(text))
        return numbers_as_hash(" " + " ".join(words) + " ")

    def phrase_labels(self, text: str) -> list[str]:
        """Every label one of whose phrases matches `text`, most urgent first."""
        plain = self.plain(text)
        return [label.label for label in self.patterns if label.matches(plain)]

    def decide(self, text: str, scores: dict[str, float], top: str | None = None) -> UrgentDecision:
        """Which urgent label `text` gets, given the classifier's confidence in each urgent
        label (`scores`, from its ranking; labels left out count as 0) and its top intent."""
        plain = self.plain(text)
        matched = [label.label for label in self.patterns if label.matches(plain)]
        if matched:
            # The classifier breaks a tie between phrases; otherwise the most urgent wins.
            best = max(matched, key=lambda label: (scores.get(label, 0.0), -matched.index(label)))
            return UrgentDecision(best, "phrase")
        words = set(plain.split())

        def backed_by_classifier(label: LabelPatterns) -> bool:
            score = scores.get(label.label, 0.0)
            if score < CLASSIFIER_MIN_CONFIDENCE or label.excluded(plain):
                return False
            if label.has_cue(plain):
                return True
            sure = CLASSIFIER_TOP if label.label == top else CLASSIFIER_SURE
            return score >= sure and bool(
                words & self.vocabulary.label_words.get(label.label, frozenset())
            )

        backed = [label.label for label in self.patterns if backed_by_classifier(label)]
        if backed:
            return UrgentDecision(max(backed, key=lambda label: scores[label]), "classifier")
        return UrgentDecision()


@lru_cache(maxsize=1)
def get_detector() -> UrgentDetector:
    """The detector built from the project's data/ (phrases and training examples)."""
    return UrgentDetector(load_patterns(), read_vocabulary(NLU_DATA_DIR))
