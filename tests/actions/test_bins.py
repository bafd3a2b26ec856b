"""Bin-day form and answer, through the real actions, domain and demo database."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.ask import AskAddress
from actions.bins import ActionTellBinDay, ValidateBinDayForm
from tests.actions.conftest import form_tracker, set_now, slot_events, texts

SEVEN_ELM_ROAD = "100090000120"  # 7 Elm Road, OB2 5JQ: round TUE-B, garden waste subscriber


async def validate(domain, **kwargs):
    dispatcher = CollectingDispatcher()
    tracker = form_tracker("bin_day_form", **kwargs)
    events = await ValidateBinDayForm().run(dispatcher, tracker, domain)
    return slot_events(events), texts(dispatcher)


async def test_malformed_postcode_is_refused_with_an_example(assistant, domain):
    slots, said = await validate(domain, slots={}, new_slots={"postcode": "OB2 5J"}, text="OB2 5J")
    assert slots["postcode"] is None
    assert "doesn't look like a full postcode" in said[0]


async def test_a_house_and_street_without_a_postcode_find_the_address(assistant, domain):
    for typed in ("7 Elm Rd", "i live at 7 elm road", "my address is 7 Elm Road, Oakbridge"):
        slots, said = await validate(
            domain, slots={"requested_slot": "postcode"}, new_slots={"postcode": typed}, text=typed
        )
        assert slots == {"postcode": "OB2 5JQ", "address_uprn": SEVEN_ELM_ROAD}, typed
        assert said == []


async def test_a_house_and_street_in_the_first_message_are_not_asked_for(assistant, domain):
    slots, said = await validate(
        domain, slots={}, text="when's bin day for 7 elm rd", intent="bin_collection_day"
    )
    assert slots == {"postcode": "OB2 5JQ", "address_uprn": SEVEN_ELM_ROAD} and said == []
    # A street with several postcodes and no house: the form asks for the postcode as usual.
    slots, said = await validate(
        domain, slots={}, text="bin day on abbey road", intent="bin_collection_day"
    )
    assert "postcode" not in slots and said == []


async def test_a_street_alone_gives_its_postcode_or_asks_when_it_has_several(assistant, domain):
    slots, said = await validate(
        domain,
        slots={"requested_slot": "postcode"},
        new_slots={"postcode": "elm road"},
        text="elm road",
    )
    assert slots == {"postcode": "OB2 5JQ"} and said == []  # the form asks which house
    # Abbey Road has two postcodes: with the house it is found, without it the postcode is asked.
    slots, said = await validate(
        domain,
        slots={"requested_slot": "postcode"},
        new_slots={"postcode": "45 Abbey Road"},
        text="45 Abbey Road",
    )
    assert slots["postcode"] == "OB1 1AB" and slots["address_uprn"]
    slots, said = await validate(
        domain,
        slots={"requested_slot": "postcode"},
        new_slots={"postcode": "Abbey Road"},
        text="Abbey Road",
    )
    assert slots["postcode"] is None
    assert said == [
        "Abbey Road has more than one postcode. What's the postcode, or the house "
        "number and street?"
    ]
    # A street the council does not have is still not a postcode.
    slots, said = await validate(
        domain,
        slots={"requested_slot": "postcode"},
        new_slots={"postcode": "12 Nowhere Road"},
        text="12 Nowhere Road",
    )
    assert slots["postcode"] is None and "doesn't look like a full postcode" in said[0]


async def test_valid_postcode_outside_the_council_is_refused(assistant, domain):
    slots, said = await validate(domain, slots={}, new_slots={"postcode": "SW1A 1AA"})
    assert slots["postcode"] is None
    assert "SW1A 1AA is not in the Oakbridge Council area" in said[0]
    assert "https://www.gov.uk/find-local-council" in said[0]


async def test_unknown_postcode_in_the_councils_district_is_refused(assistant, domain):
    slots, said = await validate(domain, slots={}, new_slots={"postcode": "OB2 9ZZ"})
    assert slots["postcode"] is None
    assert "can't find any addresses at OB2 9ZZ" in said[0]


async def test_postcode_and_house_number_in_one_message_pick_the_address(assistant, domain):
    slots, said = await validate(
        domain,
        slots={"house_number": "7"},
        new_slots={"postcode": "ob2 5jq"},
        text="7 Elm Road ob2 5jq",
    )
    assert slots == {"postcode": "OB2 5JQ", "address_uprn": SEVEN_ELM_ROAD}
    assert said == []


async def test_a_long_address_list_is_asked_for_not_dumped_as_buttons(assistant, domain):
    dispatcher = CollectingDispatcher()
    tracker = form_tracker("bin_day_form", slots={"postcode": "OB2 5JQ"})
    await AskAddress().run(dispatcher, tracker, domain)
    assert "There are 32 addresses at OB2 5JQ" in dispatcher.messages[0]["text"]
    assert not dispatcher.messages[0].get("buttons")


@pytest.mark.parametrize("typed", ["12", "12 Elm Road", "number 12", "12 elm rd"])
async def test_typed_house_number_or_street_selects_the_address(assistant, domain, typed):
    slots, _ = await validate(
        domain, slots={"postcode": "OB2 5JQ"}, new_slots={"address_uprn": typed}, text=typed
    )
    assert slots["address_uprn"] == "100090000125"


async def test_an_address_not_at_the_postcode_is_asked_again(assistant, domain):
    slots, said = await validate(
        domain, slots={"postcode": "OB2 5JQ"}, new_slots={"address_uprn": "99"}, text="99"
    )
    assert slots["address_uprn"] is None
    assert "can't find that address at OB2 5JQ" in said[0]


async def test_bin_day_answer_lists_each_bin_with_its_next_date(assistant, domain):
    dispatcher = CollectingDispatcher()
    tracker = form_tracker(None, slots={"postcode": "OB2 5JQ", "address_uprn": SEVEN_ELM_ROAD})
    events = await ActionTellBinDay().run(dispatcher, tracker, domain)
    answer = dispatcher.messages[0]["text"]
    assert answer.startswith("Next collections for 7 Elm Road:")
    assert "Blue wheelie bin: Tuesday 24 November" in answer
    assert "Food waste caddy: Tuesday 24 November" in answer
    assert "Green wheelie bin: Tuesday 24 November\n" in answer  # as usual: no reason given
    assert "Black wheelie bin: Tuesday 1 December" in answer
    assert "https://www.oakbridge.gov.example/bins-and-recycling/collection-day" in answer
    assert slot_events(events)["address_uprn"] is None


async def test_bin_day_answer_honours_the_christmas_change(assistant, domain, monkeypatch):
    set_now(monkeypatch, "2026-12-23T09:00:00")
    dispatcher = CollectingDispatcher()
    tracker = form_tracker(None, slots={"postcode": "OB2 5JQ", "address_uprn": SEVEN_ELM_ROAD})
    await ActionTellBinDay().run(dispatcher, tracker, domain)
    answer = dispatcher.messages[0]["text"]
    assert (
        "Black wheelie bin: Wednesday 30 December (moved from Tuesday 29 December "
        "because of the bank holiday)"
    ) in answer
    # No garden collections from 1 December to 28 February: the next is in March, and why.
    assert "Green wheelie bin: Tuesday 2 March (garden waste collections stop for winter)" in (
        answer
    )
