"""The texts the SMS channel sends itself are short enough to cost one segment."""

from __future__ import annotations

import pytest

from bot.content import get_content
from bot.services.sms_segments import count_segments

CHANNEL_TEXTS = [
    "sms_help",
    "sms_stop_confirmed",
    "sms_start_confirmed",
    "sms_options_intro",
    "sms_error",
    "sms_rate_limited",
]


@pytest.mark.parametrize("key", CHANNEL_TEXTS)
def test_each_channel_text_fits_one_gsm7_segment(key: str) -> None:
    text = get_content().text(key)
    info = count_segments(text)
    assert (info.encoding, info.segments) == ("GSM-7", 1), text


def test_help_names_the_council_its_phone_and_how_to_stop() -> None:
    text = get_content().text("sms_help")
    assert "Oakbridge Council" in text
    assert "01632 960000" in text
    assert "STOP" in text


def test_the_stop_confirmation_says_how_to_start_again() -> None:
    assert "START" in get_content().text("sms_stop_confirmed")
