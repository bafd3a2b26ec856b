"""Where a problem is, from what the resident already said: 'there's a pothole outside
14 High Street' needs no "Where is it?", and 'near number 4' after 'fly-tipping on Mill Lane'
means near number 4, Mill Lane."""

from __future__ import annotations

import re
from dataclasses import dataclass

STREET_WORDS = (
    "road",
    "rd",
    "street",
    "st",
    "lane",
    "ln",
    "avenue",
    "ave",
    "close",
    "crescent",
    "drive",
    "way",
    "court",
    "gardens",
    "place",
    "square",
    "terrace",
    "grove",
    "hill",
    "parade",
    "row",
    "walk",
    "green",
    "park",
)
# Street words that are a whole name with "the": 'The Crescent', 'The Green'.
NAMED_ALONE = ("crescent", "green", "parade", "square", "grove", "walk")
# Where a place starts: these words point at a spot, 'on'/'in' only at a street.
EXACT_PLACE_WORDS = ("outside", "opposite", "near", "by", "next to", "corner of", "at")
_PLACE = re.compile(
    r"\b(?P<prep>outside|opposite|near|by|next to|corner of|at|on|in|along|off)\s+"
    r"(?P<number>(?:(?:number|no\.?)\s+)?\d{1,4}[a-z]?,?\s+)?"
    r"(?P<street>(?:the\s+)?(?:[a-z']+\s+){0,2}?(?:" + "|".join(STREET_WORDS) + r"))\b",
    re.IGNORECASE,
)
_STREET_ONLY = re.compile(r"\b(?:" + "|".join(STREET_WORDS) + r")\b", re.IGNORECASE)
MAX_TEXT = 200


@dataclass(frozen=True)
class Place:
    """A place named in a message: the phrase as said, its street, and whether it is exact."""

    phrase: str
    street: str
    exact: bool


def place_in(text: str) -> Place | None:
    """The first place named in `text`: 'a pothole outside 14 High Street, awful' ->
    Place('outside 14 High Street', 'High Street', exact=True). None if there is none."""
    match = _PLACE.search(str(text or "")[:MAX_TEXT])
    if match is None:
        return None
    street = " ".join(match.group("street").split())
    bare = street.lower().removeprefix("the ")
    if (bare in STREET_WORDS and bare not in NAMED_ALONE) or street.lower().startswith(
        ("a ", "my ", "our ", "your ", "this ", "that ")
    ):
        return None  # 'on the road', 'in my street': no name
    exact = bool(match.group("number")) or match.group("prep").lower() in EXACT_PLACE_WORDS
    phrase = " ".join(match.group(0).split()).rstrip(",")
    return Place(phrase=phrase, street=street, exact=exact)


def names_a_street(text: str) -> bool:
    """True when `text` has a street word in it ('Mill Lane', 'the high st')."""
    return bool(_STREET_ONLY.search(str(text or "")[:MAX_TEXT]))


def with_street(location: str, earlier: list[str]) -> str:
    """`location`, with the street from an earlier message added if it names none itself:
    'near number 4' + ['fly-tipping on Mill Lane'] -> 'near number 4, Mill Lane'."""
    if names_a_street(location):
        return location
    for text in earlier:
        place = place_in(text)
        if place is not None:
            return f"{location}, {place.street}"
    return location
