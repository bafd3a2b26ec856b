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


REDACTED = [
    ("my NI is QQ 12 34 56 C", "my NI is [NI number]"),
    ("qq123456c please", "[NI number] please"),
    ("NI number: AB123456D.", "NI number: [NI number]."),
    ("I was born 03/04/1961", "I was born [date of birth]"),
    ("DOB 3 April 1961", "DOB [date of birth]"),
    ("date of birth: 1961-04-03", "date of birth: [date of birth]"),
    ("born on 3rd of April 1961 in Leeds", "born on [date of birth] in Leeds"),
    ("my birthday is April 3, 1961", "my birthday is [date of birth]"),
    ("0 7 7 0 0 9 0 0 5 5 5", "[phone]"),
    ("text 0 7 7 0 0 - 9 0 0 - 5 5 5 back", "text [phone] back"),
    ("card 4111-1111-1111-1111 expires", "card [number] expires"),
    ("card 4111 1111 1111 1111", "card [number]"),
    ("account 1234 5678", "account [number]"),
]
KEPT = [
    "my bin was missed on 03/04/2026",
    "missed on 3 April 2026",
    "missed 2026-04-03",
    "bins missed 03-04-2026",
    "I live at number 42",
    "houses 2 4 6 and 8",
    "between 10.30 and 11.45",
    "pay £1,234.56",
    "I am 61 and born in Leeds",
    "collection at 7 on 12/11",
]


@pytest.mark.parametrize(("text", "expected"), REDACTED)
def test_ni_numbers_dates_of_birth_and_spaced_digit_runs_are_redacted(
    text: str, expected: str
) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize("text", KEPT)
def test_collection_dates_house_numbers_and_times_are_kept(text: str) -> None:
    assert redact(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("what about PH-332561", "what about [reference]"),
        ("mb204117 a pothole", "[reference] a pothole"),
        ("my bin at SW1A 1AA, born 03/04/1961", "my bin at SW1A, born [date of birth]"),
    ],
)
def test_references_and_postcodes_are_not_mistaken_for_ni_numbers_or_birth_dates(
    text: str, expected: str
) -> None:
    assert redact(text) == expected
