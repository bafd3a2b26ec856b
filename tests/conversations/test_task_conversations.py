"""Whole task conversations through the forms, against the demo database."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.model


def test_bin_day_asks_for_the_postcode_then_the_house(conversation):
    assert "postcode" in conversation.reply("when is my bin day")
    assert "house number or name" in conversation.reply("OB2 5JQ")
    answer = conversation.reply("7")
    assert "Next collections for 7 Elm Road" in answer
    assert "Black wheelie bin: Tuesday 1 December" in answer


def test_bin_day_with_the_address_in_the_first_message(conversation):
    answer = conversation.reply("when are my bins collected 7 Elm Road OB2 5JQ")
    assert "Next collections for 7 Elm Road" in answer


def test_bin_day_refuses_a_malformed_postcode_then_carries_on(conversation):
    conversation.reply("what day is bin day")
    assert "doesn't look like a full postcode" in conversation.reply("OB2 5")
    assert "house number or name" in conversation.reply("ob25jq")


def test_bin_day_for_a_resident_who_does_not_know_the_postcode(conversation):
    conversation.reply("what day is bin day")
    assert "house number and street" in conversation.reply("not sure")
    assert "Next collections for 7 Elm Road" in conversation.reply("7 elm rd")


def test_bin_day_with_a_house_and_street_in_the_first_message(conversation):
    assert "Next collections for 12 Elm Road" in conversation.reply(
        "what day are the bins collected at 12 Elm Road"
    )


def test_missed_bin_report_then_its_status(conversation):
    conversation.reply("my bin wasn't collected yesterday")
    conversation.reply("OB2 5JQ")
    assert "Which bin" in conversation.reply("12 Elm Road")
    summary = conversation.reply("the black one")
    assert "Shall I send it?" in summary and "Black wheelie bin" in summary
    done = conversation.reply("yes")
    reference = re.search(r"MB-\d{6}", done)
    assert reference, done
    assert "Did that answer your question?" not in done, "a lodged report is not an answer"
    status = conversation.reply(f"what's happening with {reference.group(0)}")
    assert "we've received your report" in status


def test_cancel_in_the_middle_of_a_report_stores_nothing(conversation):
    conversation.reply("I want to report a pothole")
    conversation.reply("outside 14 High Street")
    assert "Nothing has been sent" in conversation.reply("cancel")
    tracker = conversation.tracker()
    assert tracker["active_loop"] == {} or tracker["active_loop"].get("name") is None


def test_asking_for_a_person_in_the_middle_of_a_form_hands_over(conversation):
    conversation.reply("report a broken street light")
    reply = conversation.reply("can I talk to a real person please")
    assert "01632 960000" in reply


def test_status_with_reference_in_odd_format(conversation):
    reply = conversation.reply("any update on ph 473263")
    assert "PH-473263: we've received your report" in reply


def test_status_asks_for_the_reference_when_missing(conversation):
    assert "reference" in conversation.reply("I want to check on my report")
    assert "2 letters and 6 numbers" in conversation.reply("123")
    assert "PH-473263" in conversation.reply("PH-473263")
