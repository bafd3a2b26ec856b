"""Is a resident angry or fed up? Patterns from data/frustration_patterns.yml (readable by
council staff), not a trained intent: precise, and no retraining to change one."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.settings import PROJECT_ROOT

PATTERNS_FILE = PROJECT_ROOT / "data" / "frustration_patterns.yml"
MAX_TEXT = 300


def _words(items: list[str]) -> str:
    """An alternation of word lists, longest first ("a joke" before "joke")."""
    return "|".join(re.escape(str(i)) for i in sorted(items, key=len, reverse=True))


def compile_patterns(raw: dict[str, Any]) -> list[re.Pattern[str]]:
    """The patterns a patterns file describes (see data/frustration_patterns.yml)."""
    who, judgements = _words(raw["who"]), _words(raw["judgements"])
    intensifiers, what, alone = (
        _words(raw["intensifiers"]),
        _words(raw["what"]),
        _words(raw["alone"]),
    )
    between = rf"(?:(?:{intensifiers})\s+)*"
    built = [
        rf"\b(?:{who})(?:'re|'s|\s+is|\s+are|\s+was|\s+were)?\s+{between}(?:{judgements})\b",
        rf"\b(?:{intensifiers})\s+{between}(?:{judgements})\b",
        rf"\b(?:{judgements})\s+(?:{what})\b",
        rf"^\W*(?:{alone})\W*$",
        *[str(phrase) for phrase in raw.get("phrases", [])],
    ]
    return [re.compile(pattern, re.IGNORECASE) for pattern in built]


@lru_cache(maxsize=1)
def frustration_patterns(path: Path = PATTERNS_FILE) -> tuple[re.Pattern[str], ...]:
    """The compiled patterns of `path`, read once."""
    return tuple(compile_patterns(yaml.safe_load(path.read_text(encoding="utf-8"))))


def sounds_frustrated(text: str) -> bool:
    """True for 'this council is useless, nobody ever fixes anything', 'I'm fed up'."""
    said = " ".join(str(text or "").replace("\u2019", "'").split())[:MAX_TEXT]
    return any(pattern.search(said) for pattern in frustration_patterns())
