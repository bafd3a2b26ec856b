"""Replies to "Shall I send it?" through the real form validators: only a plain yes sends,
whatever the classifier made of the message; a correction goes back to the part it names."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.missed_bin import ValidateMissedBinForm
from actions.reports import ValidatePotholeForm, ValidateStreetLightForm
from tests.actions.conftest import form_tracker, set_now, slot_events, texts

POTHOLE = {
    "problem_location": "outside 14 High Street",
    "pothole_size": "deep",
    "problem_description": "by the bus stop",
    "requested_slot": "confirm_report",
}
AT_NINE_ELM = {
    "postcode": "OB2 5JQ",
    "address_uprn": "100090000122",
    "house_number": "9",
    "bin_stream": "refuse",
    "requested_slot": "confirm_report",
}


async def reply_to_pothole_summary(domain, text, intent, confirm=None, confidence=0.9):
    dispatcher = CollectingDispatcher()
    new = {"confirm_report": confirm} if confirm is not None else {}
    tracker = form_tracker("pothole_form", POTHOLE, new, text=text, intent=intent)
    tracker.latest_message["intent"]["confidence"] = confidence
    events = await ValidatePotholeForm().run(dispatcher, tracker, domain)
    return slot_events(events), texts(dispatcher)


@pytest.mark.parametrize(
    ("text", "confidence"), [("that isn't right", 0.86), ("that is most definitely false", 0.91)]
)
async def test_the_testers_no_read_as_affirm_does_not_send(assistant, domain, text, confidence):
    slots, said = await reply_to_pothole_summary(domain, text, "affirm", True, confidence)
    assert slots.get("confirm_report") is None
    assert "Nothing has been sent" in said[0]
    assert slots["problem_location"] is None  # a plain no: through the questions again


async def test_words_of_yes_send_and_words_that_are_not_ask_again(assistant, domain):
    slots, said = await reply_to_pothole_summary(domain, "yes please", "affirm", True)
    assert slots == {"confirm_report": True} and said == []
    slots, said = await reply_to_pothole_summary(domain, "yep send it", "thank")
    assert slots == {"confirm_report": True}
    slots, said = await reply_to_pothole_summary(domain, "absolutely massive", "affirm", True)
    assert slots == {"confirm_report": None}
    assert said == ['Reply "yes" to send it, or "no" to go through it again.']
    slots, said = await reply_to_pothole_summary(domain, "yes", "deny", False)
    assert slots == {"confirm_report": None}


@pytest.mark.parametrize(
    ("text", "slot"),
    [
        ("the address is wrong", "problem_location"),
        ("wrong street", "problem_location"),
        ("the size is wrong", "pothole_size"),
        ("description is wrong", "problem_description"),
        ("no, the details aren't right", "problem_description"),
    ],
)
async def test_a_correction_goes_back_to_the_part_it_names(assistant, domain, text, slot):
    slots, said = await reply_to_pothole_summary(domain, text, "affirm", True)
    assert slots == {slot: None, "requested_slot": slot, "confirm_report": None}
    assert said == ["OK, let's change that. Nothing has been sent."]


async def test_a_question_naming_a_part_is_not_a_correction(assistant, domain):
    slots, said = await reply_to_pothole_summary(domain, "where will it go?", "inform")
    assert slots == {"confirm_report": None}
    assert "problem_location" not in slots


async def test_a_street_light_summary_has_no_size_to_change(assistant, domain):
    dispatcher = CollectingDispatcher()
    filled = {
        "problem_location": "by 3 Elm Road",
        "problem_description": "out",
        "requested_slot": "confirm_report",
    }
    tracker = form_tracker("street_light_form", filled, text="the size is wrong", intent="deny")
    events = await ValidateStreetLightForm().run(dispatcher, tracker, domain)
    assert slot_events(events)["problem_location"] is None  # a plain no: start again


async def test_a_wrong_address_on_a_missed_bin_asks_the_postcode_and_keeps_the_bin(
    assistant, domain, monkeypatch
):
    set_now(monkeypatch, "2026-11-18T08:00:00")
    dispatcher = CollectingDispatcher()
    tracker = form_tracker(
        "missed_bin_form",
        AT_NINE_ELM,
        {"confirm_report": True},
        text="the address is wrong",
        intent="affirm",
    )
    slots = slot_events(await ValidateMissedBinForm().run(dispatcher, tracker, domain))
    assert slots == {
        "postcode": None,
        "address_uprn": None,
        "house_number": None,
        "requested_slot": "postcode",
        "confirm_report": None,
    }

    dispatcher = CollectingDispatcher()
    tracker = form_tracker("missed_bin_form", AT_NINE_ELM, text="wrong house number")
    slots = slot_events(await ValidateMissedBinForm().run(dispatcher, tracker, domain))
    assert slots == {
        "address_uprn": None,
        "house_number": None,
        "requested_slot": "address_uprn",
        "confirm_report": None,
    }

    dispatcher = CollectingDispatcher()
    tracker = form_tracker("missed_bin_form", AT_NINE_ELM, text="wrong bin", intent="deny")
    slots = slot_events(await ValidateMissedBinForm().run(dispatcher, tracker, domain))
    assert slots == {"bin_stream": None, "requested_slot": "bin_stream", "confirm_report": None}


async def test_a_new_address_checks_the_bin_again(assistant, domain, monkeypatch):
    set_now(monkeypatch, "2026-11-18T08:00:00")  # a Wednesday
    asked = {
        **AT_NINE_ELM,
        "postcode": None,
        "address_uprn": None,
        "house_number": None,
        "requested_slot": "postcode",
    }
    # 11 Elm Road: the same round (TUE-B), its black bin was due yesterday: still fine.
    dispatcher = CollectingDispatcher()
    tracker = form_tracker("missed_bin_form", asked, {"postcode": "OB2 5JQ 11"}, text="OB2 5JQ 11")
    slots = slot_events(await ValidateMissedBinForm().run(dispatcher, tracker, domain))
    assert slots["address_uprn"] == "100090000124" and slots["bin_stream"] == "refuse"
    # 1 Kingfisher Way (THU-A): its black bin was last due on 12 November, too long ago.
    dispatcher = CollectingDispatcher()
    tracker = form_tracker("missed_bin_form", asked, {"postcode": "OB4 2ND 1"}, text="OB4 2ND 1")
    slots = slot_events(await ValidateMissedBinForm().run(dispatcher, tracker, domain))
    assert slots["address_uprn"] == "100090000196"
    assert slots["bin_stream"] is None and slots["requested_slot"] is None  # the form ends
    assert "was due on Thursday 12 November" in texts(dispatcher)[0]
