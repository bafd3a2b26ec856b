"""Follow-ups that are not answers, on the real stack: a change of topic at a report's
free-text questions, a corrected reference after a failed look-up, gibberish, anger, and
a postcode outside the council's area in every form."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

pytestmark = pytest.mark.model

GOV_UK = "https://www.gov.uk/find-local-council"
OUTSIDE = "is not in the Oakbridge Council area"


@dataclass(frozen=True)
class Report:
    form: str
    start: str
    answers: tuple[tuple[str, str], ...]  # (slot, a genuine answer), in the order asked
    reference_prefix: str


REPORTS = {
    "pothole": Report(
        "pothole_form",
        "I want to report a pothole",
        (
            ("problem_location", "outside 14 High Street"),
            ("pothole_size", "about the size of a dinner plate"),
            ("problem_description", "no"),
        ),
        "PH",
    ),
    "street_light": Report(
        "street_light_form",
        "I need to report a street light",
        (
            ("problem_location", "outside 5 Abbey Road"),
            ("problem_description", "it keeps flickering all night"),
        ),
        "SL",
    ),
    "fly_tipping": Report(
        "fly_tipping_form",
        "I want to report fly tipping",
        (
            ("problem_location", "behind the shops on Market Street"),
            ("problem_description", "a mattress and some bin bags"),
        ),
        "FT",
    ),
}
SLOTS = [(kind, slot) for kind, report in REPORTS.items() for slot, _ in report.answers]
# One change of topic of each kind, and what the assistant says to it.
CHANGES = [
    ("any update on PH-473263", "PH-473263: we've received your report"),  # a status check
    ("when is my bin day?", "once we've finished this"),  # another task, asked
    ("how do I pay my council tax", "Pay your council tax online"),  # an FAQ
    ("my bin wasn't collected yesterday", "once we've finished this"),  # another report
]


def slots(conversation) -> dict:
    return conversation.tracker()["slots"]


def active_form(conversation) -> str | None:
    return (conversation.tracker().get("active_loop") or {}).get("name")


def go_to(conversation, report: Report, slot: str) -> None:
    """Start `report` and answer its questions up to the one for `slot`."""
    conversation.reply(report.start)
    for asked, answer in report.answers:
        if asked == slot:
            break
        conversation.reply(answer)
    assert slots(conversation)["requested_slot"] == slot


def finish(conversation, report: Report, slot: str) -> str:
    """Answer `slot` and the questions after it, confirm, and return the summary."""
    summary = ""
    started = False
    for asked, answer in report.answers:
        started = started or asked == slot
        if started:
            summary = conversation.reply(answer)
    assert "Shall I send it?" in summary, summary
    return summary


# --- A change of topic at each free-text question of each report -----------------------


@pytest.mark.parametrize(("kind", "slot"), SLOTS)
@pytest.mark.parametrize(("change", "answered"), CHANGES)
def test_a_change_of_topic_is_answered_and_the_report_carries_on(
    conversation, kind: str, slot: str, change: str, answered: str
) -> None:
    report = REPORTS[kind]
    go_to(conversation, report, slot)

    reply = conversation.reply(change)
    assert answered in reply
    assert "not sure what you mean" not in reply
    after = slots(conversation)
    assert after[slot] is None and after["requested_slot"] == slot  # nothing stored, same place
    assert after["reference"] is None
    assert active_form(conversation) == report.form

    summary = finish(conversation, report, slot)
    assert change not in summary
    done = conversation.reply("yes")
    assert re.search(rf"{report.reference_prefix}-\d{{6}}", done), done
    assert active_form(conversation) is None


@pytest.mark.parametrize(
    ("kind", "slot", "answer"),
    [
        ("pothole", "problem_location", "outside number 14 on High Street, near the bus stop"),
        ("pothole", "pothole_size", "about the size of a dinner plate, cars swerving round it"),
        (
            "fly_tipping",
            "problem_description",
            "it's been dumped by the bins at the back of the flats, is that ok?",
        ),
    ],
)
def test_a_real_answer_that_sounds_like_a_question_is_still_stored(
    conversation, kind: str, slot: str, answer: str
) -> None:
    report = REPORTS[kind]
    go_to(conversation, report, slot)
    conversation.reply(answer)
    assert slots(conversation)[slot] == answer
    assert slots(conversation)["requested_slot"] != slot


def test_the_form_question_is_asked_again_after_a_change_of_topic(conversation) -> None:
    go_to(conversation, REPORTS["fly_tipping"], "problem_location")
    reply = conversation.reply("when is my bin day?")
    assert reply.rstrip().endswith("or a postcode.")  # "Where is it? ..." once more


# --- A corrected reference after a failed look-up --------------------------------------


def test_a_reference_alone_after_a_failed_look_up_is_the_next_try(conversation) -> None:
    assert "I can't find a report with the reference PH-000001" in conversation.reply(
        "any update on PH-000001"
    )
    second = conversation.reply("PH-000002")
    assert "I can't find a report with the reference PH-000002" in second
    assert "not sure what you mean" not in second and "pass you to a person" not in second
    found = conversation.reply("PH-473263")
    assert "PH-473263: we've received your report" in found
    assert "not sure what you mean" not in found


def test_a_reference_alone_to_start_with_gets_its_status_and_nothing_else(conversation) -> None:
    reply = conversation.reply("PH-473263")
    assert "PH-473263: we've received your report" in reply
    assert "not sure what you mean" not in reply and "pass you to a person" not in reply
    assert "anything else" in conversation.reply("thanks")


def test_references_alone_stay_throttled(conversation) -> None:
    conversation.reply("any update on PH-000001")
    for guess in ("PH-000002", "PH-000003", "PH-000004", "PH-000005"):
        assert "I can't find a report" in conversation.reply(guess)
    assert "I can't check any more references" in conversation.reply("PH-473263")


# --- Gibberish --------------------------------------------------------------------------


@pytest.mark.parametrize("gibberish", ["flibber the wozzle grommet", "the zorp is flimbing"])
def test_gibberish_gets_the_rephrase_fallback_then_a_real_request_works(
    conversation, gibberish: str
) -> None:
    reply = conversation.reply(gibberish)
    assert "Could you say it another way" in reply
    assert "What would you like me to do with that" not in reply
    assert "postcode" in conversation.reply("when is my bin day")


def test_a_house_name_is_still_an_answer(conversation) -> None:
    conversation.reply("when is my bin day")
    conversation.reply("OB3 7PL")
    assert "Next collections for Rose Cottage" in conversation.reply("Rose Cottage")


# --- Anger ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "angry",
    [
        "this council is useless, nobody ever fixes anything",  # read as not sure
        "this bot is rubbish",  # read as "are you a bot?"
        "I'm fed up with the council",
    ],
)
def test_an_angry_message_is_acknowledged_with_a_complaint_and_a_person(
    conversation, angry: str
) -> None:
    messages = conversation.say(angry)
    reply = "\n".join(m.get("text", "") for m in messages)
    assert "I'm sorry things have gone wrong" in reply
    assert "/contact-us/complaints" in reply and "make a complaint" in reply
    payloads = [b["payload"] for m in messages for b in m.get("buttons", [])]
    assert "/request_human" in payloads
    assert "not sure what you mean" not in reply
    assert "01632 960000" in conversation.reply("/request_human")  # a person, as offered


def test_anger_is_not_counted_as_a_misunderstanding(conversation) -> None:
    conversation.reply("asdfghjkl")
    conversation.reply("this is a joke")
    assert "Could you say it another way" in conversation.reply("asdfghjkl")


# --- A postcode outside the council's area, in every form ------------------------------


@pytest.mark.parametrize(
    "start",
    [
        "when is my bin day",
        "my bin wasn't collected",
        "remind me about my bins",
    ],
)
def test_an_outside_postcode_is_explained_and_the_form_asks_again(conversation, start: str) -> None:
    conversation.reply(start)
    reply = conversation.reply("SW1A 1AA")
    assert f"SW1A 1AA {OUTSIDE}" in reply and GOV_UK in reply
    assert slots(conversation)["postcode"] is None
    assert "addresses at OB2 5JQ" in conversation.reply("OB2 5JQ")  # a typo put right


def test_an_outside_postcode_in_the_first_message_is_explained(conversation) -> None:
    reply = conversation.reply("bin day for SW1A 1AA")
    assert f"SW1A 1AA {OUTSIDE}" in reply and GOV_UK in reply


def test_an_unknown_postcode_of_the_councils_own_district_is_not_called_outside(
    conversation,
) -> None:
    conversation.reply("when is my bin day")
    reply = conversation.reply("OB2 9ZZ")
    assert "I can't find any addresses at OB2 9ZZ" in reply and GOV_UK not in reply


def test_a_status_check_with_an_outside_postcode_says_so(conversation) -> None:
    reply = conversation.reply("any update on PH-473263 SW1A 1AA")
    assert "PH-473263: we've received your report" in reply
    assert f"SW1A 1AA {OUTSIDE}" in reply and GOV_UK in reply
    assert "Reported at" not in reply


@pytest.mark.parametrize("kind", ["pothole", "street_light", "fly_tipping"])
def test_a_report_location_outside_the_area_is_explained_and_asked_again(
    conversation, kind: str
) -> None:
    report = REPORTS[kind]
    go_to(conversation, report, "problem_location")
    reply = conversation.reply("outside 10 Downing Street, SW1A 2AA")
    assert f"SW1A 2AA {OUTSIDE}" in reply and GOV_UK in reply
    assert slots(conversation)["problem_location"] is None
    assert active_form(conversation) == report.form
    finish(conversation, report, "problem_location")


def test_a_report_whose_first_message_is_outside_the_area_asks_where_it_is(conversation) -> None:
    reply = conversation.reply("someone dumped a sofa outside 10 Downing Street SW1A 2AA")
    assert f"SW1A 2AA {OUTSIDE}" in reply and GOV_UK in reply
    assert slots(conversation)["problem_location"] is None
    assert "Where is it?" in reply


# --- Every genuine answer of the list, said in a real conversation ----------------------


def _genuine_answers() -> list[tuple[str, str, str]]:
    """Each genuine answer of topic_change_examples.yml at one of the seven free-text
    questions, taking them in turn."""
    from tests.conversations.test_topic_change_lists import examples

    found = examples()
    answers = found["genuine_answers"] + found["fresh_genuine_answers"]
    return [(*SLOTS[i % len(SLOTS)], answer) for i, answer in enumerate(answers)]


@pytest.mark.parametrize(("kind", "slot", "answer"), _genuine_answers())
def test_every_genuine_answer_of_the_list_is_taken_as_the_answer(
    conversation, kind: str, slot: str, answer: str
) -> None:
    go_to(conversation, REPORTS[kind], slot)
    reply = conversation.reply(answer)
    assert "once we've finished this" not in reply and "back to where we were" not in reply
    assert slots(conversation)["requested_slot"] != slot, reply


def _topic_changes() -> list:
    """Each change of topic of the list at one of the seven free-text questions, in turn."""
    from tests.conversations.test_topic_change_lists import examples

    found = examples()
    changes = found["topic_changes"] + found["fresh_topic_changes"]
    return [
        pytest.param(
            *SLOTS[i % len(SLOTS)],
            change,
            marks=pytest.mark.xfail(
                reason="known miss: the classifier is unsure and no service is named", strict=True
            ),
        )
        if change in found["known_misses"]
        else (*SLOTS[i % len(SLOTS)], change)
        for i, change in enumerate(changes)
    ]


@pytest.mark.parametrize(("kind", "slot", "change"), _topic_changes())
def test_every_change_of_topic_of_the_list_is_answered_not_stored(
    conversation, kind: str, slot: str, change: str
) -> None:
    go_to(conversation, REPORTS[kind], slot)
    reply = conversation.reply(change)
    assert "once we've finished this" in reply or "back to where we were" in reply, reply
    after = slots(conversation)
    assert after[slot] is None and after["requested_slot"] == slot
