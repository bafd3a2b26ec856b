"""STOP, START and HELP as whole texts; anything longer is a question for the assistant."""

from __future__ import annotations

import pytest

from bot.services.sms_keywords import Keyword, detect_keyword


@pytest.mark.parametrize(
    "text", ["STOP", "stop", " Stop. ", "STOP ALL", "stopall", "Unsubscribe", "opt out", "STOP!"]
)
def test_stop_variants_opt_out(text: str) -> None:
    assert detect_keyword(text) is Keyword.STOP


@pytest.mark.parametrize("text", ["START", "start", "Unstop", "subscribe"])
def test_start_variants_opt_back_in(text: str) -> None:
    assert detect_keyword(text) is Keyword.START


@pytest.mark.parametrize("text", ["HELP", "help?", "Info"])
def test_help_variants_ask_for_help(text: str) -> None:
    assert detect_keyword(text) is Keyword.HELP


@pytest.mark.parametrize(
    "text",
    [
        "stop the noise next door",
        "how do I stop my garden waste",
        "cancel",
        "help me pay council tax",
        "bin day SW1A 1AA",
        "",
        "stop" + " " * 50,
    ],
)
def test_questions_that_mention_a_keyword_are_not_keywords(text: str) -> None:
    assert detect_keyword(text) is None
