"""Asides in the middle of a form are answered, never stored as the answer."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.bins import ValidateBinDayForm
from actions.form_asides import (
    asks_a_question,
    asks_for_something,
    asks_why,
    attempts_at,
    is_question,
    says_dont_know,
)
from actions.reports import ValidateFlyTippingForm, ValidatePotholeForm, ValidateStreetLightForm
from actions.status import ValidateRequestStatusForm
from tests.actions.conftest import form_tracker, slot_events, texts


async def run(domain, validation, form, slot, typed, intent="inform", slots=None):
    dispatcher = CollectingDispatcher()
    tracker = form_tracker(
        form, {"requested_slot": slot, **(slots or {})}, {slot: typed}, text=typed, intent=intent
    )
    events = await validation.run(dispatcher, tracker, domain)
    return slot_events(events), texts(dispatcher)


async def test_a_council_question_instead_of_the_location_is_answered_not_stored(assistant, domain):
    typed = "how much does a garden waste subscription cost?"
    slots, said = await run(
        domain,
        ValidatePotholeForm(),
        "pothole_form",
        "problem_location",
        typed,
        intent="garden_waste_subscription",
    )
    assert slots["problem_location"] is None
    assert "£52" in said[0] and said[-1] == "Now, back to where we were."


async def test_the_same_words_are_kept_when_the_form_did_not_ask_for_that_slot(assistant, domain):
    dispatcher = CollectingDispatcher()
    typed = "where the bus stop is on High Street?"
    tracker = form_tracker(
        "pothole_form",
        {},
        {"problem_location": typed},
        text=typed,
        intent="garden_waste_subscription",
    )
    events = await ValidatePotholeForm().run(dispatcher, tracker, domain)
    assert slot_events(events)["problem_location"] == typed


async def test_another_task_asked_mid_form_waits(assistant, domain):
    slots, said = await run(
        domain,
        ValidateStreetLightForm(),
        "street_light_form",
        "problem_location",
        "when is my bin day?",
        intent="bin_collection_day",
    )
    assert slots["problem_location"] is None
    assert "once we've finished this" in said[0]


async def test_why_and_dont_know_get_their_own_answers(assistant, domain):
    slots, said = await run(
        domain,
        ValidateBinDayForm(),
        "bin_day_form",
        "postcode",
        "why do you need that?",
        intent="nlu_fallback",
    )
    assert slots["postcode"] is None and said == [
        "I need the postcode to find your address and its collection days."
    ]
    slots, said = await run(
        domain,
        ValidateBinDayForm(),
        "bin_day_form",
        "postcode",
        "I dont know my postcode",
        intent="nlu_fallback",
    )
    assert "council tax bill" in said[0] and "full postcode" not in said[0]
    slots, said = await run(
        domain,
        ValidateRequestStatusForm(),
        "request_status_form",
        "reference",
        "I don't have it",
        intent="deny",
    )
    assert slots["reference"] is None and "email or text we sent" in said[0]


async def test_a_description_that_says_why_is_still_a_description(assistant, domain):
    typed = "the light keeps going off, no idea why"
    slots, said = await run(
        domain, ValidateStreetLightForm(), "street_light_form", "problem_description", typed
    )
    assert slots["problem_description"] == typed and said == []


def test_question_why_and_dont_know_shapes():
    assert is_question("can I pay online") and is_question("bins?")
    assert not is_question("can't remember the number, near the school")
    assert asks_why("why?") and asks_why("What's that for?") and asks_why("but why do you need it")
    assert not asks_why("outside 4 Elm Road, why is it always here")
    assert says_dont_know("no idea") and says_dont_know("I don\u2019t know it")
    assert not says_dont_know("OB2 5JQ")


def test_attempts_count_only_answers_to_the_same_question():
    def asked(slot):
        return {"event": "slot", "name": "requested_slot", "value": slot}

    user = {"event": "user", "text": "x"}
    events = [asked("postcode"), user, asked("address_uprn"), user, asked("address_uprn"), user]
    tracker = form_tracker("bin_day_form", {})
    tracker.events = events
    assert attempts_at(tracker, "address_uprn") == 2
    assert attempts_at(tracker, "postcode") == 0


async def test_small_talk_is_answered_and_bye_ends_the_form(assistant, domain):
    for typed, intent, expected in [
        ("hello?", "greet", "Hello again"),
        ("thanks", "thank", "You're welcome"),
        ("what?", "what_can_you_do", "find your address"),
    ]:
        slots, said = await run(
            domain, ValidateBinDayForm(), "bin_day_form", "postcode", typed, intent=intent
        )
        assert slots["postcode"] is None and "requested_slot" not in slots
        assert expected in said[0] and "full postcode" not in said[0]
    slots, said = await run(
        domain, ValidateBinDayForm(), "bin_day_form", "postcode", "bye", intent="goodbye"
    )
    assert slots == {"postcode": None, "requested_slot": None}
    assert "Goodbye" in said[0]


async def test_a_statement_asking_for_something_else_and_a_tapped_button_are_asides(
    assistant, domain
):
    slots, said = await run(
        domain,
        ValidatePotholeForm(),
        "pothole_form",
        "problem_location",
        "I want to pay my council tax",
        intent="council_tax_pay",
    )
    assert slots["problem_location"] is None and "Direct Debit" in said[0]
    slots, said = await run(
        domain,
        ValidatePotholeForm(),
        "pothole_form",
        "problem_location",
        "/what_can_you_do",
        intent="what_can_you_do",
    )
    assert slots["problem_location"] is None and "exactly where it is" in said[0]
    assert asks_for_something("actually, I want to report a pothole instead")
    assert not asks_for_something("outside the school, I want it fixed")


async def test_the_house_given_with_the_postcode_picks_the_address(assistant, domain):
    slots, said = await run(domain, ValidateBinDayForm(), "bin_day_form", "postcode", "OB2 5JQ 7")
    assert slots == {"postcode": "OB2 5JQ", "address_uprn": "100090000120"} and said == []


async def test_cancel_at_the_summary_is_left_to_the_rules(assistant, domain):
    filled = {
        "problem_location": "outside 4 Elm Road",
        "problem_description": "out",
        "requested_slot": "confirm_report",
    }
    dispatcher = CollectingDispatcher()
    tracker = form_tracker("street_light_form", filled, text="cancel", intent="cancel")
    events = await ValidateStreetLightForm().run(dispatcher, tracker, domain)
    assert slot_events(events) == {} and dispatcher.messages == []


async def test_urgent_help_with_a_postcode_rejects_the_form_so_its_rule_runs(assistant, domain):
    dispatcher = CollectingDispatcher()
    typed = "I've been made homeless, I was at OB2 5JQ"
    tracker = form_tracker(
        "bin_day_form",
        {"requested_slot": "postcode"},
        {"postcode": "OB2 5JQ"},
        text=typed,
        intent="homelessness",
    )
    events = await ValidateBinDayForm().run(dispatcher, tracker, domain)
    assert events == [
        {
            "event": "action_execution_rejected",
            "name": "bin_day_form",
            "policy": None,
            "confidence": None,
            "timestamp": None,
        }
    ]
    # After the rule's own reply the form carries on as usual.
    tracker.events.append({"event": "action", "name": "action_reply"})
    events = await ValidateBinDayForm().run(CollectingDispatcher(), tracker, domain)
    assert all(e["event"] != "action_execution_rejected" for e in events)


def test_free_text_answers_that_start_like_questions_are_kept():
    # Sure-looking intents on answers that happen to start with "which", "how" or "is".
    assert not asks_a_question(
        "which is by the recycling bins on High Street", "problem_location", 0.95
    )
    assert not asks_a_question("how big? about a metre wide", "pothole_size", 0.84)
    assert not asks_a_question("is a sofa and a fridge", "problem_description", 0.84)
    assert asks_a_question("how much does garden waste cost?", "problem_location", 0.99)
    assert asks_a_question("which day are bins collected", "postcode", 0.95)


async def test_a_location_that_starts_with_why_or_i_need_is_still_a_location(assistant, domain):
    for typed, intent in [
        ("why is it always dumped here, by 4 Mill Lane", "make_complaint"),
        ("I need to tell you it's by the bins on Elm Road", "bin_collection_day"),
    ]:
        slots, said = await run(
            domain,
            ValidateFlyTippingForm(),
            "fly_tipping_form",
            "problem_location",
            typed,
            intent=intent,
        )
        assert slots["problem_location"] == typed and said == []
