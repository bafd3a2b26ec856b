"""A change of topic at a report's free-text questions: the signals read from the words,
and the validators with real trackers, the real domain and the demo database."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.reports import ValidateFlyTippingForm, ValidatePotholeForm, ValidateStreetLightForm
from actions.topic_change import is_another_request, other_request_intent, read_message
from tests.actions.conftest import form_tracker, slot_events, texts


def test_a_reference_is_another_request_whatever_the_classifier_says() -> None:
    assert is_another_request("any update on PH-473263", "inform", "report_pothole", 0.3)
    assert is_another_request("it's ph 473263", "nlu_fallback", "report_pothole", 0.0)
    assert is_another_request(
        "the one I reported", "inform", "report_pothole", 0.9, reference_found=True
    )  # an Open311 id found as an entity


def test_the_shape_of_a_question_or_a_request_is_read_from_the_words() -> None:
    assert read_message("when is my bin day").question
    assert read_message("wheres the tip").question
    assert read_message("can I pay online").question
    assert not read_message("which is by the bins on High Street").question
    assert not read_message("when it rains it fills with water").question
    assert read_message("actually I need to book a bulky collection").request
    assert read_message("how do I get rid of an old fridge").request
    assert not read_message("I need to tell you it's by the bins").request


def test_signs_of_an_answer_are_read_from_the_words() -> None:
    for answer in (
        "outside number 14",
        "the car park behind the library",
        "about a metre across",
        "a sofa and two chairs",
        "on the bend just after the school",
        "Mill Lane",
    ):
        assert read_message(answer).answer_like, answer
    assert not read_message("how do I pay my council tax").answer_like
    assert not read_message("any update on PH-473263").answer_like  # the reference's digits


def test_only_another_council_request_counts_as_another_intent() -> None:
    assert other_request_intent("council_tax_pay", "report_pothole")
    assert other_request_intent("check_request_status", "report_pothole")
    assert not other_request_intent("report_pothole", "report_pothole")
    for intent in ("inform", "nlu_fallback", "cancel", "request_human", "homelessness", "greet"):
        assert not other_request_intent(intent, "report_pothole")


@pytest.mark.parametrize(
    ("text", "intent", "confidence"),
    [
        ("which is by the bins on High Street", "bin_collection_day", 0.95),
        ("a sofa, two chairs and a broken TV", "bulky_waste_collection", 0.93),
        ("on the bend just after the primary school", "school_admissions", 0.93),
        (
            "it's been dumped by the bins at the back of the flats, is that ok?",
            "report_missed_bin",
            0.87,
        ),
        ("the car park behind the library", "library_services", 0.78),
    ],
)
def test_an_answer_the_classifier_misreads_is_still_an_answer(
    text: str, intent: str, confidence: float
) -> None:
    assert not is_another_request(text, intent, "report_fly_tipping", confidence)


@pytest.mark.parametrize(
    ("text", "intent", "confidence"),
    [
        ("when is my bin day?", "bin_collection_day", 1.0),
        ("I also want to report a missed bin", "report_missed_bin", 0.5),
        ("my bin wasn't collected yesterday", "report_missed_bin", 0.99),
        (
            "there's also fly tipping on the next street, can I report that too?",
            "report_fly_tipping",
            0.92,
        ),
        ("council tax", "nlu_fallback", 0.46),  # not sure which, but a service named outright
    ],
)
def test_another_request_is_caught(text: str, intent: str, confidence: float) -> None:
    assert is_another_request(text, intent, "report_pothole", confidence)


def test_the_same_kind_of_report_again_is_another_request_only_when_said_so() -> None:
    again = "actually I need to report a broken street light too"
    assert is_another_request(again, "report_street_light", "report_street_light", 0.88)
    assert not is_another_request(
        "the street light is broken", "report_street_light", "report_street_light", 0.95
    )


async def run(domain, validation, form, slot, typed, intent, confidence=0.99, entities=None):
    dispatcher = CollectingDispatcher()
    tracker = form_tracker(
        form, {"requested_slot": slot}, {slot: typed}, text=typed, intent=intent, entities=entities
    )
    tracker.latest_message["intent"]["confidence"] = confidence
    events = await validation.run(dispatcher, tracker, domain)
    return slot_events(events), texts(dispatcher)


async def test_a_reference_at_the_place_question_is_looked_up_and_nothing_stored(
    assistant, domain
) -> None:
    typed = "any update on PH-473263"
    slots, said = await run(
        domain,
        ValidatePotholeForm(),
        "pothole_form",
        "problem_location",
        typed,
        "check_request_status",
        entities=[{"entity": "reference", "value": "PH-473263"}],
    )
    assert slots["problem_location"] is None and slots["reference"] is None
    assert said[0].startswith("PH-473263: we've received your report")
    assert said[-1] == "Now, back to where we were."
    assert not any("Did that answer" in line for line in said)  # no feedback mid-form


async def test_an_faq_at_the_size_question_is_answered_and_nothing_stored(
    assistant, domain
) -> None:
    slots, said = await run(
        domain,
        ValidatePotholeForm(),
        "pothole_form",
        "pothole_size",
        "how do I pay my council tax",
        "council_tax_pay",
        0.98,
    )
    assert slots["pothole_size"] is None
    assert "council-tax/pay" in said[0] and said[-1] == "Now, back to where we were."


@pytest.mark.parametrize(
    ("validation", "form"),
    [
        (ValidateStreetLightForm(), "street_light_form"),
        (ValidateFlyTippingForm(), "fly_tipping_form"),
    ],
)
async def test_another_task_at_the_description_question_waits(
    assistant, domain, validation, form
) -> None:
    slots, said = await run(
        domain,
        validation,
        form,
        "problem_description",
        "when is my bin day?",
        "bin_collection_day",
        1.0,
    )
    assert slots["problem_description"] is None
    assert said == [
        'I can help with that once we\'ve finished this. To stop this instead, say "cancel".'
    ]


async def test_a_genuine_description_is_stored(assistant, domain) -> None:
    typed = "it's been dumped by the bins at the back of the flats, is that ok?"
    slots, said = await run(
        domain,
        ValidateFlyTippingForm(),
        "fly_tipping_form",
        "problem_description",
        typed,
        "report_fly_tipping",
        0.87,
    )
    assert slots["problem_description"] == typed and said == []
