"""Addresses: find a resident's home by postcode, then by what they type ('12', 'Rose Cottage'),
or by house and street when they do not know the postcode ('14 Elm Rd')."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import Address
from bot.postcodes import normalise_postcode

# Street words residents shorten, and the words they put before a house number.
ABBREVIATIONS = {
    "st": "street",
    "rd": "road",
    "ln": "lane",
    "ave": "avenue",
    "av": "avenue",
    "cl": "close",
    "cres": "crescent",
    "dr": "drive",
    "ct": "court",
    "gdns": "gardens",
    "pl": "place",
    "sq": "square",
    "tce": "terrace",
    "apt": "flat",
    "apartment": "flat",
}
LEADING_WORDS = ("i live at", "it is", "its", "house number", "number", "num", "no", "at")
# The last word of a street's name, after ABBREVIATIONS: where to look for one in a message.
STREET_TYPES = frozenset(
    (
        "road",
        "street",
        "lane",
        "avenue",
        "close",
        "crescent",
        "drive",
        "court",
        "gardens",
        "place",
        "square",
        "terrace",
        "way",
        "grove",
        "hill",
        "parade",
        "row",
        "walk",
        "green",
        "park",
        "mews",
        "rise",
        "view",
        "vale",
        "gate",
        "end",
        "croft",
        "meadow",
        "meadows",
    )
)
STREET_NAME_WORDS = 4  # 'Upper Church Hill Road': the words before the street type, at most
MAX_TEXT = 120
_NUMBERED = re.compile(r"^\d+[a-z]?$", re.IGNORECASE)


@dataclass(frozen=True)
class AddressRecord:
    """One address as plain values."""

    uprn: str
    house: str
    street: str
    town: str
    postcode: str
    round: str
    garden_waste: bool

    @property
    def label(self) -> str:
        """How to show it: '12 High Street', 'Rose Cottage, Heron Close'."""
        joiner = " " if _NUMBERED.match(self.house) else ", "
        return f"{self.house}{joiner}{self.street}"


def _record(address: Address) -> AddressRecord:
    return AddressRecord(
        uprn=address.uprn,
        house=address.house,
        street=address.street,
        town=address.town,
        postcode=address.postcode,
        round=address.round_code,
        garden_waste=address.garden_waste,
    )


def natural_key(text: str) -> tuple[tuple[int, int, str], ...]:
    """A sort key that puts '2' before '10' and 'Flat 2' before 'Flat 10'."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.lower())
        for part in re.split(r"(\d+)", text)
        if part
    )


def addresses_for_postcode(session: Session, postcode: str) -> list[AddressRecord]:
    """Every address at `postcode` (any spacing or case), by street then house in natural order.

    An invalid postcode gives an empty list.
    """
    normal = normalise_postcode(postcode)
    if normal is None:
        return []
    rows = session.scalars(select(Address).where(Address.postcode == normal))
    records = [_record(row) for row in rows]
    return sorted(records, key=lambda r: (r.street.lower(), natural_key(r.house)))


def find_address(session: Session, uprn: str) -> AddressRecord | None:
    """The address with this UPRN, or None."""
    if not isinstance(uprn, str) or not uprn.isdigit() or len(uprn) > 12:
        return None
    row = session.get(Address, uprn)
    return _record(row) if row is not None else None


def _normalise(text: str) -> str:
    words = re.sub(r"[^a-z0-9 ]", " ", text.lower()).split()
    return " ".join(ABBREVIATIONS.get(word, word) for word in words)


def _strip_leading_words(text: str) -> str:
    changed = True
    while changed:
        changed = False
        for words in LEADING_WORDS:
            if text.startswith(words + " "):
                text = text[len(words) + 1 :]
                changed = True
    return text


def match_address(addresses: list[AddressRecord], text: str) -> AddressRecord | None:
    """The one address among `addresses` that `text` names, else None (absent or ambiguous).

    Understands '12', 'number 12', '12 High Street', '12 high st', 'Rose Cottage',
    'flat 2'. Exact house or house-and-street matches win over partial ones.
    """
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
        return None
    said = _strip_leading_words(_normalise(text))
    if not said:
        return None
    forms = [(a, _normalise(a.house), _normalise(a.street)) for a in addresses]
    tiers = (
        # The house alone, or the house and its street (perhaps followed by town or postcode).
        lambda house, street: said == house or said.startswith(f"{house} {street}"),
        # The start of a name: 'flat 2' for 'Flat 2, Market House', 'rose' for 'Rose Cottage'.
        lambda house, street: not said.isdigit() and house.startswith(said + " "),
        # A flat without the word: '2 market house' for 'Flat 2, Market House'.
        lambda house, street: (
            house.startswith("flat ") and (said + " ").startswith(house.removeprefix("flat ") + " ")
        ),
    )
    for tier in tiers:
        found = {a.uprn: a for a, house, street in forms if tier(house, street)}
        if len(found) == 1:
            return next(iter(found.values()))
        if len(found) > 1:
            return None
    return None


@dataclass(frozen=True)
class StreetLookup:
    """What a message without a postcode says about an address: the street it names (as the
    council spells it), its postcodes, and the one address on it the message names, if any."""

    street: str
    postcodes: tuple[str, ...]
    address: AddressRecord | None


def _street_names_in(said: str) -> set[str]:
    """Every run of words ending in a street type, without numbers: '14 elm road' ->
    {'elm road'}; 'i live at 3 the crescent' -> {'crescent', 'the crescent', ...}."""
    words = said.split()
    names = set()
    for end, word in enumerate(words):
        if word not in STREET_TYPES:
            continue
        for start in range(max(0, end - STREET_NAME_WORDS), end + 1):
            run = words[start : end + 1]
            if not any(ch.isdigit() for w in run for ch in w):
                names.add(" ".join(run))
    return names


def mentions_a_street(text: str) -> bool:
    """Whether `text` could name a street ('14 elm rd'): checked before `address_on_street`,
    so that a message naming none costs no database session."""
    return (
        isinstance(text, str) and len(text) <= MAX_TEXT and bool(_street_names_in(_normalise(text)))
    )


def address_on_street(session: Session, text: str) -> StreetLookup | None:
    """The street `text` names and, if it names one, the address on it: '14 Elm Rd' ->
    Elm Road, OB2 5JQ, 14 Elm Road. None when no street of the council's is named (or more
    than one is)."""
    if not mentions_a_street(text):
        return None
    said = _normalise(text)
    names = _street_names_in(said)
    streets = {
        street
        for street in session.scalars(select(Address.street).distinct())
        if _normalise(street) in names
    }
    if len(streets) != 1:
        return None
    street = streets.pop()
    rows = session.scalars(select(Address).where(Address.street == street))
    addresses = sorted((_record(row) for row in rows), key=lambda r: natural_key(r.house))
    postcodes = tuple(sorted({a.postcode for a in addresses}))
    # 'my address is 14 Elm Road': the house is the word just before the street.
    before, _, after = said.partition(_normalise(street))
    just_before = " ".join(before.split()[-1:] + [_normalise(street)] + after.split())
    address = match_address(addresses, text) or match_address(addresses, just_before)
    return StreetLookup(street, postcodes, address)
