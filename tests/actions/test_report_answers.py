"""Replies to a report form beyond plain answers: the summary, changes, places said early."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.address_steps import address_in_sentence, find_postcode, nearest_number
from actions.missed_bin import ValidateMissedBinForm
from actions.report_answers import dumped_things_in
from actions.report_places import place_in, with_street
from actions.reports import ValidateFlyTippingForm, ValidatePotholeForm, ValidateStreetLightForm
from actions.status import reference_in_sentence
from bot.services.addresses import AddressRecord
from tests.actions.conftest import form_tracker, set_now, slot_events, texts

AT_NINE_ELM = {"postcode": "OB2 5JQ", "address_uprn": "100090000122"}  # 9 Elm Road, TUE-B
SUMMARY = {"requested_slot": "confirm_report"}


def user(text, intent="inform"):
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}


async def test_a_thumbs_up_at_the_summary_is_yes_and_hmm_asks_again(assistant, domain):
    filled = {
        "problem_location": "outside 14 High Street",
        "pothole_size": "deep",
        "problem_description": "no",
        **SUMMARY,
    }
    dispatcher = CollectingDispatcher()
    tracker = form_tracker("pothole_form", filled, text="👍", intent="nlu_fallback")
    events = await ValidatePotholeForm().run(dispatcher, tracker, domain)
    assert slot_events(events)["confirm_report"] is True

    dispatcher = CollectingDispatcher()
    tracker = form_tracker("pothole_form", filled, text="hmm", intent="inform")
    events = await ValidatePotholeForm().run(dispatcher, tracker, domain)
    assert slot_events(events) == {"confirm_report": None}
    assert texts(dispatcher) == ['Reply "yes" to send it, or "no" to go through it again.']


async def test_a_different_bin_at_the_summary_changes_the_report(assistant, domain, monkeypatch):
    set_now(monkeypatch, "2026-11-18T08:00:00")
    filled = {**AT_NINE_ELM, "bin_stream": "refuse", **SUMMARY}
    dispatcher = CollectingDispatcher()
    tracker = form_tracker("missed_bin_form", filled, text="actually it was the food caddy")
    events = await ValidateMissedBinForm().run(dispatcher, tracker, domain)
    assert slot_events(events) == {"bin_stream": "food", "confirm_report": None}
    assert texts(dispatcher) == ["OK, I've changed that."]

    # The blue bin was due on 10 November: too late, so the black bin report stands.
    dispatcher = CollectingDispatcher()
    tracker = form_tracker("missed_bin_form", filled, text="no wait, the blue one")
    events = await ValidateMissedBinForm().run(dispatcher, tracker, domain)
    assert slot_events(events) == {"confirm_report": None}
    assert "2 working days" in texts(dispatcher)[0]


async def test_a_bin_named_in_the_first_message_is_used_once_the_address_is_known(
    assistant, domain, monkeypatch
):
    set_now(monkeypatch, "2026-11-18T08:00:00")
    dispatcher = CollectingDispatcher()
    tracker = form_tracker(
        "missed_bin_form",
        {"postcode": "OB2 5JQ", "requested_slot": "address_uprn"},
        {"address_uprn": "9"},
        text="9",
    )
    tracker.events[:0] = [user("my black bin wasn't emptied", "report_missed_bin"), user("OB2 5JQ")]
    events = await ValidateMissedBinForm().run(dispatcher, tracker, domain)
    slots = slot_events(events)
    assert slots["address_uprn"] == "100090000122" and slots["bin_stream"] == "refuse"

    # After "no" at the summary, what was said before is not reused.
    tracker = form_tracker(
        "missed_bin_form",
        {"postcode": "OB2 5JQ", "requested_slot": "address_uprn"},
        {"address_uprn": "9"},
        text="9",
    )
    tracker.events[:0] = [
        user("my black bin wasn't emptied", "report_missed_bin"),
        {"event": "slot", "name": "requested_slot", "value": "confirm_report"},
        user("no", "deny"),
    ]
    events = await ValidateMissedBinForm().run(CollectingDispatcher(), tracker, domain)
    assert "bin_stream" not in slot_events(events)


async def test_the_street_said_first_is_added_to_a_location_without_one(assistant, domain):
    dispatcher = CollectingDispatcher()
    tracker = form_tracker(
        "fly_tipping_form",
        {"requested_slot": "problem_location"},
        {"problem_location": "near number 4"},
        text="near number 4",
    )
    tracker.events[:0] = [user("someone dumped a mattress on Mill Lane", "report_fly_tipping")]
    events = await ValidateFlyTippingForm().run(dispatcher, tracker, domain)
    assert slot_events(events)["problem_location"] == "near number 4, Mill Lane"


async def test_what_was_dumped_in_the_first_message_is_not_asked_again(assistant, domain):
    tracker = form_tracker(
        "fly_tipping_form",
        {},
        text="someone's dumped a fridge and 3 black bags outside 12 Mill Lane",
        intent="report_fly_tipping",
    )
    events = await ValidateFlyTippingForm().run(CollectingDispatcher(), tracker, domain)
    slots = slot_events(events)
    assert slots["problem_location"] == "outside 12 Mill Lane"
    assert slots["problem_description"] == (
        "someone's dumped a fridge and 3 black bags outside 12 Mill Lane"
    )

    # 'Rubbish' alone does not say what a crew will find: the form still asks.
    tracker = form_tracker(
        "fly_tipping_form",
        {},
        text="rubbish dumped outside 12 Mill Lane",
        intent="report_fly_tipping",
    )
    dispatcher = CollectingDispatcher()
    events = await ValidateFlyTippingForm().run(dispatcher, tracker, domain)
    slots = slot_events(events)
    assert slots["problem_location"] == "outside 12 Mill Lane"
    assert "problem_description" not in slots


def test_what_was_dumped_in_first_messages():
    named = [
        "someone dumped a mattress on Mill Lane",
        "old FRIDGE-FREEZER left on the verge",
        "5 black bags and a sofa by the garages",
        "builders rubble on the green",
        "a pile of tyres in the lay-by",
        "shopping trolley dumped in the brook",
    ]
    vague = [
        "report fly tipping",
        "someone has dumped rubbish in the lane",
        "load of junk by the garages",
        "flytipping in the flower beds on Mill Lane",
        "rubbish dumped outside my door",
    ]
    assert [text for text in named if not dumped_things_in(text)] == []
    assert [text for text in vague if dumped_things_in(text)] == []


def test_places_in_first_messages():
    place = place_in("there's a massive pothole outside 14 High Street, awful")
    assert place is not None and place.phrase == "outside 14 High Street" and place.exact
    place = place_in("someone dumped a mattress on Mill Lane")
    assert place is not None and place.street == "Mill Lane" and not place.exact
    assert place_in("pothole in the road by the school") is None
    assert place_in("fly tipping in my street") is None
    assert with_street("by the lamp post", ["light out on Heron Close"]) == (
        "by the lamp post, Heron Close"
    )
    assert with_street("outside 3 Elm Road", ["light out on Heron Close"]) == "outside 3 Elm Road"


def test_postcodes_references_and_houses_inside_sentences():
    assert find_postcode("postcode is ob25jq i think") == "OB2 5JQ"
    assert find_postcode("OB2  5JQ") == "OB2 5JQ"
    assert find_postcode("OB2 5JQ or OB3 7PL") is None
    assert find_postcode("number 7") is None
    assert reference_in_sentence("its mb 204117 i think") == "MB-204117"
    assert reference_in_sentence("ZZ 123456") is None
    houses = [
        AddressRecord(str(n), h, "Elm Road", "Oakbridge", "OB2 5JQ", "TUE-B", False)
        for n, h in enumerate(["12", "14", "Rose Cottage"])
    ]
    assert nearest_number(houses, "12a").house == "12"
    assert nearest_number(houses, "13b") is None
    tracker = form_tracker("bin_day_form", {}, text="we live at rose cottage by the pond")
    assert address_in_sentence(houses, "we live at rose cottage by the pond", tracker).house == (
        "Rose Cottage"
    )
    tracker.latest_message["entities"] = [{"entity": "house_number", "value": "14"}]
    assert address_in_sentence(houses, "number 14, red door", tracker).house == "14"


async def test_two_bins_or_a_bin_the_house_lacks_are_explained(assistant, domain, monkeypatch):
    set_now(monkeypatch, "2026-11-18T08:00:00")
    twelve = {
        "postcode": "OB2 5JQ",
        "address_uprn": "100090000125",  # no garden waste
        "requested_slot": "bin_stream",
    }
    for typed, expected in [
        ("the black and the blue", "one bin per report"),
        ("the green one", "doesn't have a garden collection"),
        ("the bin", "couldn't tell which bin"),
    ]:
        dispatcher = CollectingDispatcher()
        tracker = form_tracker("missed_bin_form", twelve, {"bin_stream": typed}, text=typed)
        events = await ValidateMissedBinForm().run(dispatcher, tracker, domain)
        assert slot_events(events)["bin_stream"] is None
        assert expected in texts(dispatcher)[0]


async def test_yes_to_anything_else_asks_for_it(assistant, domain):
    dispatcher = CollectingDispatcher()
    tracker = form_tracker(
        "pothole_form",
        {"requested_slot": "problem_description"},
        {"problem_description": "yes"},
        text="yes",
        intent="affirm",
    )
    events = await ValidatePotholeForm().run(dispatcher, tracker, domain)
    assert slot_events(events)["problem_description"] is None
    assert texts(dispatcher) == ["OK. Tell me in a few words."]


async def test_a_weak_yes_at_the_summary_is_asked_again_and_no_with_a_bin_changes_it(
    assistant, domain, monkeypatch
):
    set_now(monkeypatch, "2026-11-18T08:00:00")
    filled = {"problem_location": "by 3 Elm Road", "problem_description": "out", **SUMMARY}
    dispatcher = CollectingDispatcher()
    tracker = form_tracker(
        "street_light_form", filled, {"confirm_report": True}, text="it's out", intent="affirm"
    )
    tracker.latest_message["intent"]["confidence"] = 0.53
    events = await ValidateStreetLightForm().run(dispatcher, tracker, domain)
    assert slot_events(events) == {"confirm_report": None}
    assert 'Reply "yes"' in texts(dispatcher)[0]

    dispatcher = CollectingDispatcher()
    tracker = form_tracker(
        "missed_bin_form",
        {**AT_NINE_ELM, "bin_stream": "refuse", **SUMMARY},
        {"confirm_report": False},
        text="no it was the food caddy",
        intent="deny",
    )
    events = await ValidateMissedBinForm().run(dispatcher, tracker, domain)
    assert slot_events(events) == {"bin_stream": "food", "confirm_report": None}
