"""Take personal data out of what residents wrote before staff read it in bulk.

Postcodes keep their outward code ('SW1A'), since the area helps the council; phone
numbers, email addresses, request references, street addresses and names given with a
cue ("my name is ...", "Mrs ...") are replaced with a placeholder in square brackets.
"""

from __future__ import annotations

import re

from bot.nlp.entities import normalise_email
from bot.phones import normalise_uk_phone
from bot.postcodes import normalise_postcode, outward_code
from bot.references import normalise_reference

MAX_TEXT = 2000

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-']+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_POSTCODE = re.compile(r"\b[A-Za-z]{1,2}[0-9][A-Za-z0-9]?\s*[0-9][A-Za-z]{2}\b")
_PHONE = re.compile(r"(?<![\w+])(?:\+44\s?(?:\(0\)\s?)?|0044\s?|0)\d[\d\s().\-]{7,14}\d(?!\w)")
_REFERENCE = re.compile(r"\b[A-Za-z]{2}\s*[-–—_/.]?\s*\d{6}\b")
_LONG_NUMBER = re.compile(r"\b\d{7,}\b")
_STREET = re.compile(
    r"\b\d{1,4}[A-Za-z]?,?\s+(?:[A-Z][a-z]+\s+){1,3}"
    r"(?:Road|Rd|Street|St|Avenue|Ave|Lane|Close|Drive|Way|Crescent|Place|Court|Gardens"
    r"|Terrace|Grove|Row|Walk|Hill|Square|Mews|Park)\b",
    re.IGNORECASE,
)
_NAME_WORD = r"[A-Z][a-z'\-]+"
_NAME_CUES = re.compile(
    r"(?P<cue>\b(?:my name is|my name's|name is|i am called|i'm called|this is|call me|"
    r"i am|i'm|signed|regards|thanks)\s*,?\s+)"
    rf"(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD})?)",
    re.IGNORECASE,
)
_TITLED = re.compile(rf"\b(?:Mr|Mrs|Ms|Miss|Dr|Mx)\.?\s+{_NAME_WORD}(?:\s+{_NAME_WORD})?")
# "I am Worried" is not a name: after an ambiguous cue, a name must be capitalised as written
# and not a common word.
_NOT_NAMES = frozenset({
    "worried", "concerned", "moving", "trying", "looking", "not", "still", "having", "going",
    "a", "an", "the", "so", "very", "just", "homeless", "disabled", "unable", "new", "sorry",
    "about", "writing", "calling", "here", "there", "struggling", "fine", "ok", "on", "at",
    "back", "in", "after", "when", "if", "please", "for", "to", "now", "today", "tomorrow",
})


def _postcode(match: re.Match[str]) -> str:
    postcode = normalise_postcode(match.group(0))
    return outward_code(postcode) if postcode else match.group(0)


def _phone(match: re.Match[str]) -> str:
    return "[phone]" if normalise_uk_phone(match.group(0).strip()) else match.group(0)


def _email(match: re.Match[str]) -> str:
    return "[email]" if normalise_email(match.group(0)) else match.group(0)


def _reference(match: re.Match[str]) -> str:
    return "[reference]" if normalise_reference(match.group(0)) else match.group(0)


def _name(match: re.Match[str]) -> str:
    cue = match.group("cue")
    name = match.group("name")
    first = name.split()[0]
    explicit = "name" in cue.lower()
    if first.lower() in _NOT_NAMES or (not explicit and not first[0].isupper()):
        return match.group(0)
    return f"{cue}[name]"


def redact(text: str) -> str:
    """`text` with personal data replaced: see the module docstring. Bounded in length."""
    result = str(text or "")[:MAX_TEXT]
    result = _EMAIL.sub(_email, result)
    result = _REFERENCE.sub(_reference, result)
    result = _PHONE.sub(_phone, result)
    result = _STREET.sub("[address]", result)
    result = _POSTCODE.sub(_postcode, result)
    result = _LONG_NUMBER.sub("[number]", result)
    result = _TITLED.sub("[name]", result)
    return _NAME_CUES.sub(_name, result)
