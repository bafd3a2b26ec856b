"""Phone numbers as the SMS channel accepts them."""

from __future__ import annotations

import pytest

from channels.sms.numbers import normalise_number


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
