"""Turn what the entity ruler found into clean values (or drop it when invalid).

The ruler matches shapes; these functions decide validity and the canonical form
that slots and look-ups use.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.phones import normalise_uk_phone
from bot.postcodes import normalise_postcode
from bot.references import normalise_reference

_EMAIL = re.compile(r"^[A-Za-z0-9._%+\-']+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}$")
_HOUSE_NUMBER = re.compile(r"\b(\d{1,4}[A-Za-z]?)\b")
_FLAT = re.compile(r"^\s*(flat|apartment|unit)\s+(\w{1,5})", re.IGNORECASE)


def normalise_email(text: str) -> str | None:
    """A plausible email address, lower-cased; None otherwise."""
    candidate = text.strip().rstrip(".")
    if len(candidate) > 254 or not _EMAIL.match(candidate):
        return None
    return candidate.lower()


def normalise_house_number(text: str) -> str | None:
    """'7 Elm Road' -> '7'; 'number 12a' -> '12A'; 'flat 2b' -> 'Flat 2B'."""
    flat = _FLAT.match(text)
    if flat:
        return f"{flat.group(1).title()} {flat.group(2).upper()}"
    match = _HOUSE_NUMBER.search(text)
    return match.group(1).upper() if match else None


NORMALISERS: dict[str, Callable[[str], str | None]] = {
    "postcode": normalise_postcode,
    "reference": normalise_reference,
    "phone_number": normalise_uk_phone,
    "email": normalise_email,
    "house_number": normalise_house_number,
}


def normalise_entity(entity_type: str, text: str) -> str | None:
    """The canonical value of an entity, or None when it is not valid.

    Entity types this module does not know are passed through unchanged.
    """
    normaliser = NORMALISERS.get(entity_type)
    return normaliser(text) if normaliser else text
