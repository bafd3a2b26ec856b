"""Which part of a report's summary a correction names: "the address is wrong", "wrong
bin", "the size isn't right", "description is wrong" -> the parts to ask for again.

Parts are the summary's lines in plain words, not form slots: the actions map them to
the slots of each form (a missed bin has an address and a bin; a pothole a place, a size
and details). Plain Python, no Rasa.
"""

from __future__ import annotations

import re

POSTCODE = "postcode"
STREET = "street"
HOUSE = "house"
BIN = "bin"
SIZE = "size"
DETAILS = "details"

# The words residents use for each part of a summary.
PART_WORDS: dict[str, tuple[str, ...]] = {
    POSTCODE: ("postcode", "post code", "postal code"),
    STREET: (
        "address",
        "street",
        "road",
        "location",
        "place",
        "lane",
        "avenue",
        "spot",
        "wrong way",
        "wrong area",
    ),
    HOUSE: ("house", "house number", "door number", "flat", "number", "building", "home"),
    BIN: ("bin", "bins", "caddy", "container", "colour", "color", "wheelie"),
    SIZE: ("size", "big", "deep", "depth", "wide", "width", "dimensions", "danger", "dangerous"),
    DETAILS: (
        "description",
        "details",
        "detail",
        "describe",
        "fault",
        "what was dumped",
        "what's wrong",
        "what is wrong",
        "what i said",
        "what's been dumped",
    ),
}
_PATTERNS = {
    part: re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b", re.IGNORECASE)
    for part, words in PART_WORDS.items()
}
MAX_LENGTH = 200


def parts_named(text: str) -> frozenset[str]:
    """The summary parts `text` names ('postcode', 'street', 'house', 'bin', 'size',
    'details'); empty when it names none."""
    said = str(text or "")[:MAX_LENGTH].replace("\u2019", "'")
    return frozenset(part for part, pattern in _PATTERNS.items() if pattern.search(said))
