"""Recognise one resident's phone number or email address however it was written.

A number may be written "07700 900555", "+44 7700 900555", "07700-900-555",
"(07700) 900555", "447700900555" or "+44 (0)7700 900555": all are the same E.164
number. Used by subject access and erasure to find every record that holds it.
"""

from __future__ import annotations

import re

from bot.nlp.entities import normalise_email
from bot.phones import normalise_uk_phone

# A run of digits with the separators people write between them.
_NUMBER_RUN = re.compile(r"\+?\(?\d[\d\s().\-+/]*\d\)?")
_DIGIT_GROUP = re.compile(r"\+?\d+")
_INTERNATIONAL = re.compile(r"^\+[1-9]\d{7,14}$")
MAX_GROUPS = 16  # "0 7 7 0 0 9 0 0 5 5 5" (11) with a "+44 (0)" before it


def normalise_phone(text: str) -> str | None:
    """Any common way of writing a phone number -> E.164; None when it is not one.

    UK numbers in every national and international form, "447700900555" (as providers
    send them) included; other countries' numbers only with their "+".
    """
    if not isinstance(text, str):
        return None
    compact = re.sub(r"[\s().\-/]", "", text.strip())
    if compact.startswith("+440"):
        compact = "+44" + compact[4:]
    elif re.fullmatch(r"44\d{10}", compact):
        compact = "+" + compact
    uk = normalise_uk_phone(compact)
    if uk:
        return uk
    return compact if _INTERNATIONAL.match(compact) else None


def normalise_contact_email(text: str) -> str | None:
    """An email address however it was typed (case, spaces around it) -> lower case."""
    return normalise_email(text.strip()) if isinstance(text, str) else None


def phones_in(text: str) -> set[str]:
    """Every phone number written in `text`, as E.164 (however it was spaced or dashed)."""
    found: set[str] = set()
    for run in _NUMBER_RUN.findall(text or ""):
        groups = _DIGIT_GROUP.findall(run)
        # A number may start at any group of a run ("flat 2 07700 900555") and end at any.
        for start in range(len(groups)):
            for end in range(start + 1, min(len(groups), start + MAX_GROUPS) + 1):
                number = normalise_phone("".join(groups[start:end]))
                if number:
                    found.add(number)
    return found


def _holds_email(text: str, email: str) -> bool:
    # The whole address: not the end of "bjo@..." nor the start of "...@example.org.uk".
    pattern = rf"(?<![\w.%+\-']){re.escape(email)}(?!\.?[\w\-])"
    return re.search(pattern, text.lower()) is not None


def mentions(text: str, phone: str | None, email: str | None) -> bool:
    """Whether `text` holds this phone number (E.164) or email address (lower case)."""
    if email and _holds_email(text or "", email):
        return True
    return bool(phone) and phone in phones_in(text)


def tail_needles(phone: str) -> list[str]:
    """The number's last three digits as they are written together, spaced or dashed: a
    cheap database filter for candidates that `mentions` then reads."""
    tail = phone[-3:]
    return [tail, " ".join(tail), "-".join(tail)]
