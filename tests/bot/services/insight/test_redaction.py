from __future__ import annotations

import pytest

from bot.services.insight.redaction import redact

EXAMPLES = [
    ("my bin at SW1A 1AA was missed", "my bin at SW1A was missed"),
    ("postcode sw1a1aa", "postcode SW1A"),
    ("B33 8TH flooding", "B33 flooding"),
    ("call me on 07700 900123 please", "call me on [phone] please"),
    ("+44 (0)7700 900123", "[phone]"),
    ("landline 01632 960000", "landline [phone]"),
    ("email jo.bloggs@example.com thanks", "email [email] thanks"),
    ("what about MB-204117", "what about [reference]"),
    ("ref mb204117", "ref [reference]"),
    ("My name is Jane Smith and my bin", "My name is [name] and my bin"),
    ("my name is jane", "my name is [name]"),
    ("I'm Dave, bins not collected", "I'm [name], bins not collected"),
    ("Mrs Patel next door is noisy", "[name] next door is noisy"),
    ("I live at 12 Elm Road", "I live at [address]"),
    ("account 12345678", "account [number]"),
    ("I am worried about my neighbour", "I am worried about my neighbour"),
    ("hi i'm trying to pay", "hi i'm trying to pay"),
    ("when is the tip open", "when is the tip open"),
]


@pytest.mark.parametrize(("text", "expected"), EXAMPLES)
def test_personal_data_is_redacted_and_ordinary_words_are_kept(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_redaction_bounds_the_length_of_what_it_returns() -> None:
    assert len(redact("a" * 10_000)) == 2000
