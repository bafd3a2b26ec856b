"""The entity ruler (built from data/entity_patterns) plus normalisation, on real text."""

from __future__ import annotations

import pytest

from bot.nlp.entities import normalise_entity
from bot.nlp.pipeline import build_pipeline


@pytest.fixture(scope="module")
def nlp():
    return build_pipeline()


def extract(nlp, text: str) -> list[tuple[str, str]]:
    """What the assistant would see: (entity, canonical value), invalid ones dropped."""
    found = []
    for ent in nlp(text).ents:
        value = normalise_entity(ent.label_, ent.text)
        if value is not None:
            found.append((ent.label_, value))
    return found


@pytest.mark.parametrize(
    ("text", "postcode"),
    [
        ("when is my bin day OB2 5JQ", "OB2 5JQ"),
        ("ob25jq", "OB2 5JQ"),
        ("my postcode is sw1a 1aa!", "SW1A 1AA"),
        ("SW1A1AA", "SW1A 1AA"),
        ("EC1A 1BB please", "EC1A 1BB"),
        ("W1A 0AX", "W1A 0AX"),
        ("M1 1AE", "M1 1AE"),
        ("B33 8TH", "B33 8TH"),
        ("CR2 6XH", "CR2 6XH"),
        ("DN55 1PT", "DN55 1PT"),
        ("bins for 7 Elm Road, OB2 5JQ.", "OB2 5JQ"),
    ],
)
def test_valid_postcodes_in_every_format_are_found_and_normalised(nlp, text, postcode):
    assert ("postcode", postcode) in extract(nlp, text)


@pytest.mark.parametrize(
    "text",
    [
        "OB2 5J",  # inward code cut short
        "OB2",  # outward code only
        "QB2 5JQ",  # Q never starts a postcode
        "AB12 3CD",  # C is never used in the inward code
        "12345",
        "my bin day",
        "OB2 5JQQ",
    ],
)
def test_invalid_or_partial_postcodes_are_not_taken(nlp, text):
    assert [e for e in extract(nlp, text) if e[0] == "postcode"] == []


@pytest.mark.parametrize(
    ("text", "reference"),
    [
        ("what's happening with MB-204117", "MB-204117"),
        ("ref mb 204117", "MB-204117"),
        ("mb204117?", "MB-204117"),
        ("PH-473263", "PH-473263"),
        ("sl 123456 status", "SL-123456"),
        ("ft_654321", "FT-654321"),
    ],
)
def test_references_in_the_forms_residents_type_are_normalised(nlp, text, reference):
    assert ("reference", reference) in extract(nlp, text)


@pytest.mark.parametrize(
    "text",
    [
        "MB-20411",  # five digits
        "MB-2041177",  # seven digits
        "XY-204117",  # not one of our categories
        "my 204117",  # two letters that are a word, not a category
        "204117",
    ],
)
def test_malformed_references_are_dropped(nlp, text):
    assert [e for e in extract(nlp, text) if e[0] == "reference"] == []


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("call me on 07700 900123", "+447700900123"),
        ("07700900123", "+447700900123"),
        ("+44 7700 900123", "+447700900123"),
        ("+447700900123", "+447700900123"),
        ("my landline is 01632 960000", "+441632960000"),
        ("(01632) 960000", "+441632960000"),
        ("020 7946 0000", "+442079460000"),
    ],
)
def test_uk_mobile_and_landline_numbers_are_found_in_e164(nlp, text, phone):
    assert ("phone_number", phone) in extract(nlp, text)


@pytest.mark.parametrize("text", ["07700 900", "999", "0770090012345", "123 456789"])
def test_numbers_that_are_not_uk_phone_numbers_are_dropped(nlp, text):
    assert [e for e in extract(nlp, text) if e[0] == "phone_number"] == []


@pytest.mark.parametrize(
    ("text", "email"),
    [
        ("email me at Jo.Bloggs@Example.co.uk.", "jo.bloggs@example.co.uk"),
        ("a.b+bins@council.gov.uk", "a.b+bins@council.gov.uk"),
    ],
)
def test_email_addresses_are_found_and_lower_cased(nlp, text, email):
    assert ("email", email) in extract(nlp, text)


@pytest.mark.parametrize("text", ["jo@", "@example.com", "jo at example dot com", "jo@localhost"])
def test_things_that_are_not_email_addresses_are_not_taken(nlp, text):
    assert [e for e in extract(nlp, text) if e[0] == "email"] == []


@pytest.mark.parametrize(
    ("text", "house"),
    [
        ("7 Elm Road OB2 5JQ", "7"),
        ("12a High St", "12A"),
        ("it's number 12", "12"),
        ("flat 2b", "Flat 2B"),
        ("I live at 45 Church Lane", "45"),
    ],
)
def test_house_numbers_are_taken_from_addresses(nlp, text, house):
    assert ("house_number", house) in extract(nlp, text)


@pytest.mark.parametrize("text", ["I have 3 bins", "OB2 5JQ", "when is my bin day"])
def test_numbers_that_are_not_house_numbers_are_left_alone(nlp, text):
    assert [e for e in extract(nlp, text) if e[0] == "house_number"] == []
