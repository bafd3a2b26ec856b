"""Phone numbers as the SMS channel accepts them."""

from __future__ import annotations

import random

import phonenumbers
import pytest

from bot.clients.sms.numbers import normalise_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("07700 900123", "+447700900123"),
        ("+44 7700 900123", "+447700900123"),
        ("447700900123", "+447700900123"),
        ("+1 202 555 0143", "+12025550143"),
    ],
)
def test_numbers_are_normalised_to_e164(text: str, expected: str) -> None:
    assert normalise_number(text) == expected


@pytest.mark.parametrize(
    "text", ["", "hello", "123", "0" * 30, None, 447700900123, "07700<script>"]
)
def test_things_that_are_not_numbers_are_refused(text: object) -> None:
    assert normalise_number(text) is None


def _by_the_parser(text: str) -> str | None:
    candidate = "+" + text if text[0].isdigit() and not text.startswith("0") else text
    parsed = phonenumbers.parse(candidate, "GB")
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def test_uk_mobile_numbers_read_without_the_parser_come_out_as_the_parser_reads_them() -> None:
    rng = random.Random(5)
    for _ in range(500):
        national = "7" + "".join(rng.choice("0123456789") for _ in range(9))
        for text in (f"0{national}", f"44{national}", f"+44{national}"):
            assert normalise_number(text) == _by_the_parser(text) == f"+44{national}"
    # Near misses still go to the parser: a digit short or over, a landline, another country.
    for text in ("0770090012", "077009001234", "02079460000", "+4477009001234", "+17700900123"):
        assert normalise_number(text) == _by_the_parser(text)
