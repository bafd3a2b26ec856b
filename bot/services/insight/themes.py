"""Unanswered questions, redacted and grouped by similarity into themes to write content for.

Each question's keywords (words less common than stop words), weighted by how rare they
are, are compared with the themes found so far that share one of them: a question joins
the closest when it is similar enough, else starts a theme (`theme_grouping`). Near linear:
anyone can add unanswered questions, and the page must stay fast with tens of thousands;
only the newest `MAX_THEMED` are grouped. Exports: CSV, and Rasa NLU training-data YAML
(one candidate intent per theme) for review before training.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import yaml

from bot.services.insight.conversations import Conversation
from bot.services.insight.redaction import redact
from bot.services.insight.theme_grouping import group_by_keywords

# Cosine similarity (0..1) a question needs with a theme to join it.
THEME_SIMILARITY = 0.35
# The newest questions grouped into themes: a bound on the page's work.
MAX_THEMED = 5_000

_STOP = (
    "a an the i im i'm my me you your is are was were be to of in on at for and or it this "
    "that do does can could would will how what when where why please hi hello there have has "
    "with about from get got not no yes just much need want know tell which who any should "
    "did been am us our we they them if so as by but then than one"
)
STOP_WORDS = frozenset(_STOP.split(" "))


@dataclass(frozen=True)
class UnansweredQuestion:
    """One message the assistant could not answer well, already redacted."""

    text: str
    reason: str  # "nlu_fallback", "out_of_scope" or "no"
    channel: str
    day: str


@dataclass
class Theme:
    """Similar unanswered questions, with the words that best describe them."""

    label: str
    questions: list[UnansweredQuestion] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.questions)


def unanswered_questions(
    conversations: Sequence[Conversation], newest: int | None = None
) -> list[UnansweredQuestion]:
    """Every unanswered message of these conversations (oldest first), redacted; empty
    texts left out. With `newest`, only the newest that many (fewer texts to redact)."""
    found: list[UnansweredQuestion] = []
    for c in reversed(conversations):
        for reason, text in reversed(c.unanswered):
            if newest is not None and len(found) >= newest:
                return found[::-1]
            clean = redact(text).strip()
            if clean:
                found.append(UnansweredQuestion(clean, reason, c.channel, c.day.isoformat()))
    return found[::-1]


_PLACEHOLDER = re.compile(r"\[[a-z]+\]")


def _words_only(text: str) -> str:
    """Lower-case text without redaction placeholders, which say nothing about the topic."""
    return _PLACEHOLDER.sub(" ", text.lower())


def _label(texts: Sequence[str]) -> str:
    words = Counter(
        w
        for t in texts
        for w in set(re.findall(r"[a-z']{3,}", _words_only(t)))
        if w not in STOP_WORDS
    )
    top = [w for w, _ in words.most_common(3)]
    return " ".join(top) if top else "other"


def group_into_themes(
    questions: Sequence[UnansweredQuestion],
    similarity: float = THEME_SIMILARITY,
    limit: int = 10,
) -> list[Theme]:
    """The largest `limit` themes among the newest `MAX_THEMED` of `questions`, biggest
    first (see `bot.services.insight.theme_grouping`)."""
    kept = list(questions[-MAX_THEMED:])
    groups = group_by_keywords([_keywords(q.text) for q in kept], similarity)
    themes = [
        Theme(_label([kept[i].text for i in group]), [kept[i] for i in group]) for group in groups
    ]
    themes.sort(key=lambda t: (-t.size, t.label))
    return themes[:limit]


def _keywords(text: str) -> set[str]:
    """The words of `text` that say what it is about (a question's first 500 characters)."""
    return {
        w.strip("'")
        for w in re.findall(r"[a-z']{3,}", _words_only(text[:500]))
        if w not in STOP_WORDS and w.strip("'")
    }


def themes_csv(themes: Sequence[Theme]) -> str:
    """One row per question: theme, theme size, reason, channel, day, redacted text."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["theme", "theme_size", "reason", "channel", "day", "text"])
    for theme in themes:
        for q in theme.questions:
            writer.writerow(
                [theme.label, theme.size, q.reason, q.channel, q.day, _csv_safe(q.text)]
            )
    return out.getvalue()


def _csv_safe(text: str) -> str:
    # A cell starting with = + - @ is run as a formula by spreadsheets.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def themes_nlu_yaml(themes: Sequence[Theme]) -> str:
    """Rasa 3 NLU training data: one candidate intent per theme, for review before use."""
    nlu = []
    for number, theme in enumerate(themes, start=1):
        slug = re.sub(r"[^a-z0-9]+", "_", theme.label.lower()).strip("_") or "other"
        examples = sorted({q.text.replace("\n", " ") for q in theme.questions})
        nlu.append(
            {
                "intent": f"candidate_{number}_{slug}",
                "examples": "".join(f"- {text}\n" for text in examples),
            }
        )
    return "# Candidate intents from unanswered questions: review before training.\n" + yaml.dump(
        {"version": "3.1", "nlu": nlu}, Dumper=_LiteralDumper, sort_keys=False, allow_unicode=True
    )


class _LiteralDumper(yaml.SafeDumper):
    """Writes multi-line strings as `|` blocks, the way Rasa's own files look."""


def _literal(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_LiteralDumper.add_representer(str, _literal)
