"""Finding a resident's address by postcode and by what they type."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from bot.db.session import session_scope
from bot.services.addresses import (
    AddressRecord,
    address_on_street,
    addresses_for_postcode,
    find_address,
    match_address,
)


def _at(engine: Engine, postcode: str) -> list[AddressRecord]:
    with session_scope(engine) as session:
        return addresses_for_postcode(session, postcode)


def test_addresses_for_a_postcode_in_any_spacing_are_in_natural_order(
    loaded_engine: Engine,
) -> None:
    addresses = _at(loaded_engine, "ob59ub")
    houses = [a.house for a in addresses]
    assert len(addresses) == 39
    assert houses.index("2") < houses.index("10") < houses.index("Flat 1, Market House")
    assert houses.index("Flat 2, Market House") < houses.index("Flat 8, Market House")
    assert {a.postcode for a in addresses} == {"OB5 9UB"}


def test_unknown_or_invalid_postcode_gives_no_addresses(loaded_engine: Engine) -> None:
    assert _at(loaded_engine, "OB9 9ZZ") == []
    assert _at(loaded_engine, "not a postcode") == []


def test_find_address_by_uprn(loaded_engine: Engine) -> None:
    with session_scope(loaded_engine) as session:
        cottage = find_address(session, "100090000255")
        assert find_address(session, "999999999999") is None
        assert find_address(session, "'; drop table addresses; --") is None
    assert cottage is not None
    assert cottage.label == "Rose Cottage, Heron Close"
    assert (cottage.round, cottage.garden_waste) == ("THU-B", True)


def test_label_of_a_numbered_house() -> None:
    record = AddressRecord("1", "12", "High Street", "Oakbridge", "OB5 9UB", "FRI-A", False)
    assert record.label == "12 High Street"


@pytest.mark.parametrize(
    ("typed", "house"),
    [
        ("12", "12"),
        ("number 12", "12"),
        ("No. 12", "12"),
        ("12 High Street", "12"),
        ("12 high st", "12"),
        ("12 High Street, Oakbridge OB5 9UB", "12"),
        ("2", "2"),
        ("flat 2", "Flat 2, Market House"),
        ("Apartment 2", "Flat 2, Market House"),
        ("flat 2, market house", "Flat 2, Market House"),
        ("2 Market House", "Flat 2, Market House"),
        ("Flat 2 Market House High Street", "Flat 2, Market House"),
    ],
)
def test_match_address_understands_what_residents_type(
    loaded_engine: Engine, typed: str, house: str
) -> None:
    found = match_address(_at(loaded_engine, "OB5 9UB"), typed)
    assert found is not None and found.house == house


def test_match_address_by_house_name(loaded_engine: Engine) -> None:
    found = match_address(_at(loaded_engine, "OB4 3TY"), "rose cottage")
    assert found is not None and found.uprn == "100090000255"


@pytest.mark.parametrize("typed", ["99", "flat", "Market House", "", "x" * 500, "13 Abbey Road"])
def test_match_address_gives_none_when_absent_or_ambiguous(
    loaded_engine: Engine, typed: str
) -> None:
    assert match_address(_at(loaded_engine, "OB5 9UB"), typed) is None


def _on_street(engine: Engine, text: str) -> tuple[str, tuple[str, ...], str | None] | None:
    with session_scope(engine) as session:
        found = address_on_street(session, text)
    if found is None:
        return None
    return found.street, found.postcodes, found.address.label if found.address else None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("14 Elm Rd", ("Elm Road", ("OB2 5JQ",), "14 Elm Road")),
        ("my address is 14 elm road, Oakbridge", ("Elm Road", ("OB2 5JQ",), "14 Elm Road")),
        ("3 the crescent", ("The Crescent", ("OB3 7PL",), "3 The Crescent")),
        ("Rose Cottage, Heron Close", ("Heron Close", ("OB4 3TY",), "Rose Cottage, Heron Close")),
        ("14 high st", ("High Street", ("OB5 9UB",), "14 High Street")),
        ("elm road", ("Elm Road", ("OB2 5JQ",), None)),
        ("99 Elm Road", ("Elm Road", ("OB2 5JQ",), None)),
        ("7 abbey road", ("Abbey Road", ("OB1 1AA", "OB1 1AB"), "7 Abbey Road")),
        ("Abbey Road", ("Abbey Road", ("OB1 1AA", "OB1 1AB"), None)),
        ("12 Nowhere Road", None),
        ("I don't know it", None),
        ("", None),
    ],
)
def test_a_house_and_street_are_found_without_a_postcode(
    loaded_engine: Engine, typed: str, expected: tuple[str, tuple[str, ...], str | None] | None
) -> None:
    assert _on_street(loaded_engine, typed) == expected
