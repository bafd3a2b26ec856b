"""Take personal data out of what residents wrote before staff read it in bulk.

Postcodes keep their outward code ('SW1A'), since the area helps the council; phone
numbers, email addresses, request references, National Insurance numbers, dates of birth
(a date after "born", "DOB", "date of birth"), runs of eight or more digits however they
are spaced or dashed (a phone, card or account number), street addresses and names given
with a cue ("my name is ...", "Mrs ...") are replaced with a placeholder in square
brackets. Other dates (a missed collection's) and house numbers are kept.
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
# Two letters, six digits (in pairs or not) and A-D: "QQ 12 34 56 C", "qq123456c".
_NI_NUMBER = re.compile(r"\b(?P<head>[A-Za-z]{2}\s?\d{2}\s?\d{2}\s?\d{2})(?P<gap>\s?)[A-Da-d]\b")
_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE = (
    r"(?:\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}|\d{4}-\d{1,2}-\d{1,2}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS}\.?,?\s+\d{{4}}"
    rf"|{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})"
)
_BIRTH_DATE = re.compile(
    r"(?P<cue>\b(?:born(?:\s+on)?|d\.?o\.?b\.?|date\s+of\s+birth(?:\s+is)?"
    r"|birthday(?:\s+is)?)\s*[:\-]?\s*)"
    rf"(?P<date>{_DATE})\b",
    re.IGNORECASE,
)
# Digits with single spaces, dashes or dots between them: "0 7 7 0 0 9 0 0 5 5 5",
# "4111-1111-1111-1111". Runs of fewer than eight digits (house numbers, times) are kept.
_DIGIT_RUN = re.compile(r"(?<![\w\-./])\d(?: ?[\-.]? ?\d){7,}(?![\w\-/])")
_DATE_SHAPED = re.compile(r"^(?:\d{4}[-. ]\d{2}[-. ]\d{2}|\d{2}[-. ]\d{2}[-. ]\d{4})$")
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
_NOT_NAMES = frozenset(
    {
        "worried",
        "concerned",
        "moving",
        "trying",
        "looking",
        "not",
        "still",
        "having",
        "going",
        "a",
        "an",
        "the",
        "so",
        "very",
        "just",
        "homeless",
        "disabled",
        "unable",
        "new",
        "sorry",
        "about",
        "writing",
        "calling",
        "here",
        "there",
        "struggling",
        "fine",
        "ok",
        "on",
        "at",
        "back",
        "in",
        "after",
        "when",
        "if",
        "please",
        "for",
        "to",
        "now",
        "today",
        "tomorrow",
    }
)


def _postcode(match: re.Match[str]) -> str:
    postcode = normalise_postcode(match.group(0))
    return outward_code(postcode) if postcode else match.group(0)


def _phone(match: re.Match[str]) -> str:
    return "[phone]" if normalise_uk_phone(match.group(0).strip()) else match.group(0)


def _email(match: re.Match[str]) -> str:
    return "[email]" if normalise_email(match.group(0)) else match.group(0)


def _reference(match: re.Match[str]) -> str:
    return "[reference]" if normalise_reference(match.group(0)) else match.group(0)


def _ni_number(match: re.Match[str]) -> str:
    # "mb204117 a pothole": a request reference with a word after it, not an NI number.
    if match.group("gap") and normalise_reference(match.group("head")):
        return match.group(0)
    return "[NI number]"


def _digit_run(match: re.Match[str]) -> str:
    run = match.group(0)
    if _DATE_SHAPED.match(run):  # "2026-04-03", "03.04.2026": a date, kept
        return run
    return "[phone]" if normalise_uk_phone(re.sub(r"\D", "", run)) else "[number]"


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
    result = _NI_NUMBER.sub(_ni_number, result)
    result = _BIRTH_DATE.sub(lambda m: f"{m.group('cue')}[date of birth]", result)
    result = _REFERENCE.sub(_reference, result)
    result = _PHONE.sub(_phone, result)
    result = _DIGIT_RUN.sub(_digit_run, result)
    result = _STREET.sub("[address]", result)
    result = _POSTCODE.sub(_postcode, result)
    result = _LONG_NUMBER.sub("[number]", result)
    result = _TITLED.sub("[name]", result)
    return _NAME_CUES.sub(_name, result)
