"""The urgent phrases of data/urgent/*.yml, compiled to regular expressions.

The phrase language (data/urgent/README.md): words in order; `..` allows up to four
other words between, `...` up to eight; `word*` any ending; `(a|b c|)` one of these,
empty for optional; `#` any number; `$` the end of the message. Phrases match whole
words of the plain text (bot/safety/normalise.py).

`every_label.yml` holds `not` and `not_when` phrases that count for every label, written
once: a message that is about a crossword, an essay or a charity appeal is about
something else whichever label its words point to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from bot.safety.labels import URGENT

PATTERNS_DIR = Path(__file__).resolve().parents[2] / "data" / "urgent"
GAP = r"(?: [a-z0-9#]+){0,4}?"  # lazy: the shortest match, so exclusions cover no more
# `...`: a clause between ("the ceiling in my bedroom has just come down")
LONG_GAP = r"(?: [a-z0-9#]+){0,8}?"
# The file of `not` and `not_when` phrases that count for every label.
EVERY_LABEL_FILE = "every_label.yml"


class PatternError(ValueError):
    """A phrase or pattern file that cannot be read."""


@dataclass(frozen=True)
class LabelPatterns:
    """One label's phrases, the phrases that cancel a match they cover, and its cue words."""

    label: str
    phrases: tuple[re.Pattern[str], ...]
    exclusions: tuple[re.Pattern[str], ...]
    contexts: tuple[re.Pattern[str], ...]  # `not_when`: the whole message is about something else
    cues: re.Pattern[str] | None
    words: frozenset[str]  # the literal words of the phrases (for forgiving spelling slips)
    # The literal words of `not` and `not_when`: words in their own right, never read as a
    # slip for a phrase word ("server" is not "served").
    other_words: frozenset[str] = frozenset()

    def matches(self, plain: str) -> bool:
        """True when a phrase matches `plain` text somewhere no exclusion covers: "my mum
        kicked me out" is not abuse ("kicked me out" is excluded), but "he hit me and
        kicked me out" still is."""
        if any(p.search(plain) for p in self.contexts):
            return False
        excluded = [m.span() for p in self.exclusions for m in p.finditer(plain)]
        for phrase in self.phrases:
            for match in phrase.finditer(plain):
                start, end = match.span()
                if not any(start < e_end and e_start < end for e_start, e_end in excluded):
                    return True
        return False

    def has_cue(self, plain: str) -> bool:
        return self.cues is not None and self.cues.search(plain) is not None

    def excluded(self, plain: str) -> bool:
        """True when one of the label's `not` or `not_when` phrases is in `plain` text."""
        return any(p.search(plain) for p in (*self.exclusions, *self.contexts))


def _word(word: str) -> str:
    if word == "#":
        return "#"
    if not re.fullmatch(r"[a-z0-9]+\*?", word):
        raise PatternError(f"{word!r} is not a plain lower-case word")
    if word.endswith("*"):
        return re.escape(word[:-1]) + "[a-z]*"
    if len(word) >= 2 and not word.endswith("s"):
        # With an s too: apostrophes are dropped, so "the river's rising" reads "rivers".
        return re.escape(word) + "s?"
    return re.escape(word)


def _tokens(phrase: str) -> list[str]:
    return re.findall(r"\(|\)|\||\.\.\.|\.\.|[^\s()|]+", phrase.strip().lower())


def _sequence(tokens: list[str], at: int, phrase: str) -> tuple[str, int]:
    """Regex of words, gaps and choices from tokens[at] up to a '|' or ')' (each word led
    by a space); with the index where it stopped."""
    pieces: list[str] = []
    while at < len(tokens) and tokens[at] not in ("|", ")"):
        token = tokens[at]
        if token in ("..", "..."):
            if not pieces:
                raise PatternError(f"{phrase!r}: '{token}' needs a word before it")
            pieces.append(GAP if token == ".." else LONG_GAP)
            at += 1
        elif token == "$":
            pieces.append("(?= $)")  # the end of the message
            at += 1
        elif token == "(":
            options: list[str] = []
            at += 1
            while True:
                option, at = _sequence(tokens, at, phrase)
                options.append(option)
                if at >= len(tokens):
                    raise PatternError(f"{phrase!r}: a '(' is not closed")
                at += 1
                if tokens[at - 1] == ")":
                    break
            filled = [o for o in options if o]
            if not filled:
                raise PatternError(f"{phrase!r} has an empty choice")
            optional = "?" if len(filled) < len(options) else ""
            pieces.append(f"(?:{'|'.join(filled)}){optional}")
        else:
            pieces.append(" " + _word(token))
            at += 1
    if pieces and pieces[-1] in (GAP, LONG_GAP):
        raise PatternError(f"{phrase!r}: a gap ('..' or '...') needs a word after it")
    return "".join(pieces), at


def compile_phrase(phrase: str) -> re.Pattern[str]:
    """A phrase of the pattern language as a regular expression over plain text."""
    tokens = _tokens(phrase)
    regex, at = _sequence(tokens, 0, phrase)
    if at != len(tokens):
        raise PatternError(f"{phrase!r}: a ')' or '|' outside a choice")
    if not regex:
        raise PatternError(f"{phrase!r} is empty")
    return re.compile(regex + r"(?= )")


def _literal_words(phrase: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", phrase.lower()) if len(w) >= 5}


def load_label(path: Path) -> LabelPatterns:
    """One pattern file (data/urgent/<label>.yml)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    label = str(raw.get("label") or "")
    if label not in URGENT:
        raise PatternError(f"{path.name}: {label!r} is not an urgent label")
    if label != path.stem:
        raise PatternError(f"{path.name}: the file of {label!r} must be named {label}.yml")
    phrases = [str(p) for p in raw.get("phrases") or []]
    if not phrases:
        raise PatternError(f"{path.name} has no phrases")
    try:
        compiled = tuple(compile_phrase(p) for p in phrases)
        exclusions = tuple(compile_phrase(p) for p in raw.get("not") or [])
        contexts = tuple(compile_phrase(p) for p in raw.get("not_when") or [])
    except PatternError as error:
        raise PatternError(f"{path.name}: {error}") from None
    cue_words = " ".join(str(c) for c in raw.get("cues") or []).split()
    cues = None
    if cue_words:
        cues = re.compile(" (?:" + "|".join(_word(w) for w in cue_words) + ")(?= )")
    words: set[str] = set()
    for phrase in phrases:
        words |= _literal_words(phrase)
    other: set[str] = set()
    for phrase in [*(raw.get("not") or []), *(raw.get("not_when") or [])]:
        other |= _literal_words(str(phrase))
    return LabelPatterns(
        label, compiled, exclusions, contexts, cues, frozenset(words), frozenset(other)
    )


def _shared_exclusions(
    path: Path,
) -> tuple[tuple[re.Pattern[str], ...], tuple[re.Pattern[str], ...], frozenset[str]]:
    """The `not` and `not_when` phrases of every_label.yml (none when there is no file),
    and their literal words."""
    if not path.exists():
        return (), (), frozenset()
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    unknown = set(raw) - {"not", "not_when"}
    if unknown:
        raise PatternError(f"{path.name} may hold only `not` and `not_when`, not {sorted(unknown)}")
    phrases = [str(p) for p in [*(raw.get("not") or []), *(raw.get("not_when") or [])]]
    words = frozenset(w for p in phrases for w in _literal_words(p))
    try:
        return (
            tuple(compile_phrase(str(p)) for p in raw.get("not") or []),
            tuple(compile_phrase(str(p)) for p in raw.get("not_when") or []),
            words,
        )
    except PatternError as error:
        raise PatternError(f"{path.name}: {error}") from None


def load_patterns(directory: Path = PATTERNS_DIR) -> tuple[LabelPatterns, ...]:
    """Every label's patterns, in the order of bot/safety/labels.py URGENT_LABELS, each
    with the `not` and `not_when` phrases of every_label.yml added to its own."""
    from bot.safety.labels import URGENT_LABELS

    found = {
        p.stem: load_label(p) for p in sorted(directory.glob("*.yml")) if p.name != EVERY_LABEL_FILE
    }
    missing = [label for label in URGENT_LABELS if label not in found]
    if missing:
        raise PatternError(f"no urgent phrases for {', '.join(missing)} in {directory}")
    exclusions, contexts, words = _shared_exclusions(directory / EVERY_LABEL_FILE)
    return tuple(
        replace(
            found[label],
            exclusions=(*found[label].exclusions, *exclusions),
            contexts=(*found[label].contexts, *contexts),
            other_words=found[label].other_words | words,
        )
        for label in URGENT_LABELS
    )
