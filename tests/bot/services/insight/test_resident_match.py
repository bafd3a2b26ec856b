from __future__ import annotations

import pytest

from bot.services.insight.resident_match import mentions, normalise_phone, phones_in

SPELLINGS = [
    "07700 900555",
    "+44 7700 900555",
    "07700-900-555",
    "(07700) 900555",
    "447700900555",
    "+44 (0)7700 900555",
    "0044 7700 900555",
    "0 7 7 0 0 9 0 0 5 5 5",
]


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_every_way_of_writing_a_number_is_the_same_number(spelling: str) -> None:
    assert normalise_phone(spelling) == "+447700900555"
    assert "+447700900555" in phones_in(f"flat 2 {spelling}, thanks")


@pytest.mark.parametrize("text", ["07700 900655", "flat 555", "PH-332561", "7700900555 1"])
def test_other_numbers_are_not_that_number(text: str) -> None:
    assert not mentions(text, "+447700900555", None)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("write to JO.Bloggs@Example.org please", True),
        ("bjo.bloggs@example.org", False),
        ("jo.bloggs@example.org.uk", False),
        ("jo.bloggs@example.org.", True),
    ],
)
def test_an_email_is_matched_whole_in_any_case(text: str, found: bool) -> None:
    assert mentions(text, None, "jo.bloggs@example.org") is found
