"""SMS segment counting against worked examples (3GPP TS 23.038 limits)."""

from __future__ import annotations

import pytest

from bot.services.sms_segments import count_segments, encode_for_sms, is_gsm7


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", "GSM-7", 0, 1),
        ("Your bins are collected on Thursday.", "GSM-7", 36, 1),
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("a" * 459, "GSM-7", 459, 3),
        ("a" * 460, "GSM-7", 460, 4),
        ("£@¥èé ÄÖÑÜ§¿äöñüà", "GSM-7", 17, 1),
    ],
)
def test_gsm7_texts_use_160_then_153_septet_segments(
    text: str, encoding: str, units: int, segments: int
) -> None:
    info = count_segments(text)
    assert (info.encoding, info.units, info.segments) == (encoding, units, segments)


@pytest.mark.parametrize("char", list("[]{}^\\|~€"))
def test_extension_characters_count_double(char: str) -> None:
    assert count_segments(char).units == 2
    assert count_segments(char * 80).segments == 1
    assert count_segments(char * 81) == count_segments(char * 81).__class__("GSM-7", 162, 2)


def test_an_escaped_character_is_never_split_across_segments() -> None:
    # 152 + 2 + 152 = 306 septets would fit two 153-septet segments if the euro
    # could be split; it cannot, so the euro starts segment two and a third is needed.
    text = "a" * 152 + "€" + "a" * 152
    info = count_segments(text)
    assert info.units == 306
    assert info.segments == 3


@pytest.mark.parametrize(
    ("text", "units", "segments"),
    [
        ("ŵ" * 70, 70, 1),
        ("ŵ" * 71, 71, 2),
        ("ŷ" * 134, 134, 2),
        ("ŷ" * 135, 135, 3),
        ("Mae eich biniau’n cael eu casglu ddydd Iau. Diolch yn fawr, ŵyr.", 64, 1),
    ],
)
def test_a_welsh_circumflex_makes_the_whole_text_ucs2(text: str, units: int, segments: int) -> None:
    info = count_segments(text)
    assert (info.encoding, info.units, info.segments) == ("UCS-2", units, segments)


def test_emoji_take_two_ucs2_units_and_are_not_split() -> None:
    assert count_segments("😀" * 35) == count_segments("😀").__class__("UCS-2", 70, 1)
    # 66 units then an emoji: it cannot straddle the 67-unit boundary.
    info = count_segments("a" * 66 + "😀" + "a" * 66)
    assert (info.units, info.segments) == (134, 3)


def test_typographic_characters_are_replaced_by_gsm7_equivalents() -> None:
    text = "“Bins” – it’s Thursday… collection\u00a0day"
    encoded = encode_for_sms(text)
    assert encoded == '"Bins" - it\'s Thursday... collection day'
    assert is_gsm7(encoded)
    assert count_segments(text).encoding == "UCS-2"
    assert count_segments(encoded).encoding == "GSM-7"


def test_letters_without_a_gsm7_equivalent_are_kept() -> None:
    assert encode_for_sms("Croeso i’r gwasanaeth: ŵ ŷ â") == "Croeso i'r gwasanaeth: ŵ ŷ â"
