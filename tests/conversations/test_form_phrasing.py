"""Whole conversations through the forms in residents' own words: everything at once,
odd postcodes, asides, changes of mind, unclear replies at the summary, capitals and emoji.

Reports are checked where they land: the request stored in the stack's database.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from bot.db.models import ServiceRequest
from bot.db.session import make_engine, session_scope

pytestmark = pytest.mark.model

ELM_ROAD = "OB2 5JQ"  # round TUE-B: black bin and food caddy collected yesterday, Tuesday


@pytest.fixture(scope="module")
def council_db(assistant, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """The database the running stack writes to (the conftest keeps it in its 'stack' dir)."""
    base = Path(tmp_path_factory.getbasetemp())
    found = sorted({path.resolve() for path in base.glob("stack*/council.db")})
    assert len(found) == 1, found
    engine = make_engine(f"sqlite:///{found[0]}")
    yield engine
    engine.dispose()


def stored(engine: Engine, reference: str) -> ServiceRequest:
    with session_scope(engine) as session:
        request = session.scalars(
            select(ServiceRequest).where(ServiceRequest.reference == reference)
        ).one()
        session.expunge(request)
        return request


def request_count(engine: Engine) -> int:
    with session_scope(engine) as session:
        return int(session.scalar(select(func.count()).select_from(ServiceRequest)))


def reference_in(reply: str, prefix: str) -> str:
    found = re.search(rf"{prefix}-\d{{6}}", reply)
    assert found, reply
    return found.group(0)


def test_missed_bin_with_everything_in_the_first_message_goes_straight_to_the_summary(
    conversation, council_db
):
    summary = conversation.reply(f"my black bin wasnt collected at 19 Elm Road {ELM_ROAD}")
    assert "Missed bin: Black wheelie bin" in summary
    assert f"Address: 19 Elm Road, {ELM_ROAD}" in summary and "Shall I send it?" in summary
    reference = reference_in(conversation.reply("yes"), "MB")
    request = stored(council_db, reference)
    assert (request.category, request.bin_stream, request.uprn, request.postcode) == (
        "missed_bin",
        "refuse",
        "100090000132",
        ELM_ROAD,
    )


def test_bin_named_first_is_used_once_the_address_is_known(conversation):
    conversation.reply("my black bin has not been emptied")
    assert "house number or name" in conversation.reply(ELM_ROAD)
    summary = conversation.reply("18")
    assert "Which bin" not in summary
    assert "Missed bin: Black wheelie bin" in summary and "18 Elm Road" in summary


def test_changing_the_bin_at_the_summary_keeps_the_report_and_sends_the_new_bin(
    conversation, council_db
):
    conversation.reply("my bin wasn't emptied")
    conversation.reply("ob25jq")
    conversation.reply("23")
    assert "Black wheelie bin" in conversation.reply("black")
    refused = conversation.reply("actually it was the blue bin")
    assert "2 working days" in refused  # the blue bin was due on 10 November
    assert "Missed bin: Black wheelie bin" in refused  # the report as it was still stands
    changed = conversation.reply("sorry no, it was the food caddy")
    assert "I've changed that" in changed and "Missed bin: Food waste caddy" in changed
    reference = reference_in(conversation.reply("👍"), "MB")
    assert stored(council_db, reference).bin_stream == "food"


def test_two_bins_at_once_are_taken_one_at_a_time(conversation):
    conversation.reply("my bin wasnt collected")
    conversation.reply(ELM_ROAD)
    conversation.reply("21")
    both = conversation.reply("both the black and the food one")
    assert "one bin per report" in both and "Which bin" in both
    assert "Missed bin: Black wheelie bin" in conversation.reply("black")


def test_a_bin_named_first_that_the_house_does_not_have_is_explained(conversation):
    conversation.reply("my green bin wasnt collected")  # 12 Elm Road has no garden waste
    conversation.reply(ELM_ROAD)
    reply = conversation.reply("12")
    assert "doesn't have a garden collection" in reply and "Which bin" in reply


def test_no_at_the_summary_starts_again_and_the_first_bin_is_not_reused(conversation):
    conversation.reply(f"my black bin wasnt collected at 17 Elm Road {ELM_ROAD}")
    again = conversation.reply("no")
    assert "Nothing has been sent" in again and "house number or name" in again
    assert "Which bin" in conversation.reply("17")


@pytest.mark.parametrize(
    "answer", ["ob25jq", "OB2  5JQ", "postcode is ob2 5jq", "it's OB25JQ I think"]
)
def test_postcode_in_odd_forms_is_understood(conversation, answer):
    conversation.reply("when is my bin day")
    assert "There are 32 addresses at OB2 5JQ" in conversation.reply(answer)


def test_why_and_dont_know_are_answered_then_the_postcode_is_asked_again(conversation):
    conversation.reply("when is my bin day")
    why = conversation.reply("why do you need that?")
    assert "find your address" in why and "What's the postcode" in why
    assert "doesn't look like a full postcode" not in why
    unknown = conversation.reply("I don't know my postcode")
    assert "council tax bill" in unknown and "What's the postcode" in unknown
    assert "house number or name" in conversation.reply(ELM_ROAD)


def test_a_new_postcode_at_the_house_question_moves_to_that_postcode(conversation):
    conversation.reply("bin day")
    conversation.reply(ELM_ROAD)
    moved = conversation.reply("actually it's a different postcode, OB3 7PL")
    assert "There are 31 addresses at OB3 7PL" in moved and "can't find" not in moved
    assert "Next collections for Rose Cottage, The Crescent" in conversation.reply("rose cottage")


def test_small_talk_mid_form_is_answered_and_bye_stops_it(conversation):
    conversation.reply("bin day")
    for said, expected in [
        ("help", "find your address"),
        ("hello?", "Hello again"),
        ("thanks", "You're welcome"),
        ("no", 'stop by saying "cancel"'),
    ]:
        reply = conversation.reply(said)
        assert expected in reply and "What's the postcode" in reply, said
        assert "full postcode" not in reply, said
    assert "Nothing has been sent or saved. Goodbye." in conversation.reply("bye")
    assert not conversation.tracker()["active_loop"].get("name")


def test_what_and_no_are_not_taken_as_a_street_light_report(conversation):
    conversation.reply("street light broken")
    assert "exactly where it is" in conversation.reply("what?")
    assert "What's wrong with the light?" in conversation.reply("by 4 heron close")
    assert "Tell me a little more" in conversation.reply("no")
    summary = conversation.reply("its out")
    assert "Where: by 4 heron close" in summary and "Details: its out" in summary


def test_a_long_rambling_answer_gives_the_postcode_and_house(conversation):
    conversation.reply("when is my bin day")
    answer = conversation.reply(
        "well I've lived here twenty years and the new calendar never came, we're at "
        "number 7 and the postcode is OB2 5JQ if that helps"
    )
    assert "Next collections for 7 Elm Road" in answer


@pytest.mark.parametrize(
    ("postcode", "answer", "address"),
    [
        ("OB5 9UB", "flat 2", "Flat 2, Market House, High Street"),
        ("OB5 9UB", "2 market house", "Flat 2, Market House, High Street"),
        ("OB4 3TY", "we live at rose cottage by the pond", "Rose Cottage, Heron Close"),
    ],
)
def test_flats_and_house_names(conversation, postcode, answer, address):
    conversation.reply("bin day please 🙂")
    conversation.reply(postcode)
    assert f"Next collections for {address}" in conversation.reply(answer)


def test_an_address_that_is_not_there_is_not_asked_twice_and_help_comes_on_the_third_try(
    conversation,
):
    conversation.reply("when are my bins collected")
    conversation.reply(ELM_ROAD)
    first = conversation.reply("12a")
    assert "can't find 12a at OB2 5JQ. Did you mean 12 Elm Road?" in first
    assert first.count("house number or name") == 1
    second = conversation.reply("the old mill")
    assert "can't find that address at OB2 5JQ" in second
    assert "If you're stuck" not in second
    assert "If you're stuck" in conversation.reply("99")
    assert "Next collections for 12 Elm Road" in conversation.reply("12 Elm Road")


def test_a_question_about_something_else_is_answered_and_not_stored_as_the_location(
    conversation, council_db
):
    conversation.reply("report a pothole")
    aside = conversation.reply("how much does a garden waste subscription cost?")
    assert "£52" in aside and "Where is it?" in aside
    weather = conversation.reply("what's the weather like?")
    assert "can't help with that" in weather and "Where is it?" in weather
    assert "How big" in conversation.reply("outside 30 The Crescent")
    why = conversation.reply("what's that for?")
    assert "how urgent" in why and "How big" in why
    conversation.reply("size of a dinner plate, cars swerving round it")
    summary = conversation.reply("no")
    assert "Where: outside 30 The Crescent" in summary and "Details: no" not in summary
    reference = reference_in(conversation.reply("yes"), "PH")
    request = stored(council_db, reference)
    assert request.location == "outside 30 The Crescent"
    assert "garden" not in request.description and "weather" not in request.description


def test_a_pothole_placed_in_the_first_message_skips_the_where_question(conversation, council_db):
    size = conversation.reply("there's a massive pothole outside 11 Church Street")
    assert "How big" in size and "Where is it?" not in size
    conversation.reply("deep, a cyclist nearly came off")
    assert "Tell me in a few words" in conversation.reply("yes")
    summary = conversation.reply("on the left going north")
    assert "Where: outside 11 Church Street" in summary
    assert "Details: on the left going north" in summary
    reference = reference_in(conversation.reply("yes please"), "PH")
    assert stored(council_db, reference).location == "outside 11 Church Street"


def test_fly_tipping_keeps_the_street_and_what_was_dumped_from_the_first_message(
    conversation, council_db
):
    conversation.reply("someone dumped a mattress on Mill Lane")
    summary = conversation.reply("near number 4")
    assert "Where: near number 4, Mill Lane" in summary
    assert "Details: someone dumped a mattress on Mill Lane" in summary
    reference = reference_in(conversation.reply("yes"), "FT")
    request = stored(council_db, reference)
    assert request.location == "near number 4, Mill Lane"
    assert request.description == "someone dumped a mattress on Mill Lane"


def test_fly_tipping_asks_what_was_dumped_when_the_first_message_does_not_say(
    conversation, council_db
):
    conversation.reply("someone has dumped rubbish on Mill Lane")
    assert "What has been dumped" in conversation.reply("near number 4")
    summary = conversation.reply("a mattress and 5 black bags")
    assert "Details: a mattress and 5 black bags" in summary
    reference = reference_in(conversation.reply("yes"), "FT")
    assert stored(council_db, reference).description == "a mattress and 5 black bags"


def test_an_unclear_reply_at_the_summary_sends_nothing_and_asks_yes_or_no(conversation, council_db):
    conversation.reply("report a broken street light")
    conversation.reply("Station Road by the bus shelter")
    conversation.reply("its flickering all night")
    before = request_count(council_db)
    unclear = conversation.reply("hmm")
    assert 'Reply "yes" to send it' in unclear and "Shall I send it?" in unclear
    assert request_count(council_db) == before
    reference = reference_in(conversation.reply("yes"), "SL")
    assert stored(council_db, reference).location == "Station Road by the bus shelter"


def test_another_task_asked_mid_form_waits_until_this_one_is_done(conversation):
    conversation.reply("report a broken street light")
    reply = conversation.reply("when is my bin day?")
    assert "once we've finished this" in reply and "Where is it?" in reply
    conversation.reply("cancel")
    conversation.reply("my bin wasnt collected")
    conversation.reply(ELM_ROAD)
    switch = conversation.reply("actually I want to report a pothole instead")
    assert "once we've finished this" in switch and "can't find that address" not in switch


def test_a_request_said_as_a_statement_and_a_button_tapped_mid_form_are_not_the_location(
    conversation,
):
    conversation.reply("report a pothole")
    paying = conversation.reply("I want to pay my council tax")
    assert "Direct Debit" in paying and "Where is it?" in paying
    tapped = conversation.reply("/council_tax_support")
    assert "Where is it?" in tapped and "How big" not in tapped
    assert "How big" in conversation.reply("outside 2 Abbey Road")


def test_the_house_number_with_the_postcode_in_one_answer(conversation):
    conversation.reply("bin day")
    assert "Next collections for 7 Elm Road" in conversation.reply("OB2 5JQ 7")


def test_a_house_name_with_the_postcode_in_the_first_message(conversation):
    answer = conversation.reply("bin day for Rose Cottage OB4 3TY")
    assert "Next collections for Rose Cottage, Heron Close" in answer


def test_a_number_that_is_not_a_house_is_not_taken_for_one(conversation):
    reply = conversation.reply("my bin wasnt collected for 2 weeks OB2 5JQ")
    assert "There are 32 addresses at OB2 5JQ" in reply


@pytest.mark.parametrize("stop", ["stop", "forget it", "never mind"])
def test_stopping_a_form_in_other_words_stores_nothing(conversation, council_db, stop):
    before = request_count(council_db)
    conversation.reply("my bin wasnt collected")
    assert "Nothing has been sent" in conversation.reply(stop)
    assert not conversation.tracker()["active_loop"].get("name")
    assert request_count(council_db) == before


def test_cancel_a_person_and_are_you_a_bot_still_work_at_the_summary(conversation, council_db):
    before = request_count(council_db)
    conversation.reply(f"my black bin wasnt collected at 29 Elm Road {ELM_ROAD}")
    assert "Nothing has been sent" in conversation.reply("cancel")
    assert not conversation.tracker()["active_loop"].get("name")
    conversation.reply("report a pothole")
    conversation.reply("outside 4 Elm Road")
    conversation.reply("huge, cars swerving")
    assert "Shall I send it?" in conversation.reply("no")
    bot = conversation.reply("are you a bot")
    assert "automated assistant" in bot and "Shall I send it?" in bot
    assert "01632 960000" in conversation.reply("can I speak to a person")
    assert not conversation.tracker()["active_loop"].get("name")
    assert request_count(council_db) == before


def test_homelessness_with_a_postcode_mid_form_gets_urgent_help_first(conversation):
    conversation.reply("bin day")
    reply = conversation.reply(
        "I've been made homeless and need somewhere tonight, I was at OB2 5JQ"
    )
    assert "nowhere to stay tonight" in reply and "house number or name" not in reply
    assert not conversation.tracker()["active_loop"].get("name")


def test_are_you_a_bot_with_the_reference_answers_both(conversation):
    conversation.reply("check my report")
    reply = conversation.reply("are you a bot? my ref is PH 473263")
    assert "automated assistant" in reply and "PH-473263: we've received your report" in reply


def test_asking_for_a_person_at_the_address_step_ends_the_form(conversation):
    conversation.reply("my bin wasnt collected")
    conversation.reply(ELM_ROAD)
    assert "01632 960000" in conversation.reply("talk to a human")
    assert not conversation.tracker()["active_loop"].get("name")


def test_a_whole_report_in_capitals(conversation, council_db):
    conversation.reply("MY BIN WASNT COLLECTED")
    conversation.reply("OB2 5JQ")
    assert "Which bin" in conversation.reply("15")
    summary = conversation.reply("THE FOOD CADDY")
    assert "Missed bin: Food waste caddy" in summary
    reference = reference_in(conversation.reply("YES"), "MB")
    assert stored(council_db, reference).uprn == "100090000128"


def test_status_reference_in_a_sentence_or_lower_case_with_spaces(conversation):
    assert "MB-980335: we've received your report" in conversation.reply(
        "whats happening with mb 980335"
    )
    conversation.reply("check my report")
    unknown = conversation.reply("I don't have it")
    assert "email or text we sent" in unknown and "What's the reference?" in unknown
    assert "PH-473263: we've received your report" in conversation.reply("its ph 473263 i think")


def test_reminder_consent_needs_a_clear_yes_or_no(conversation):
    conversation.reply("can you remind me the night before bin day")
    conversation.reply(ELM_ROAD)
    conversation.reply("number 5")
    assert "Do you want these texts?" in conversation.reply("07700 900123")
    unclear = conversation.reply("👍")
    assert 'Reply "yes" if you want them' in unclear and "Do you want these texts?" in unclear
    assert "What would you like" not in unclear
    why = conversation.reply("why do you need that")
    assert "only send reminders if you say yes" in why
    assert "won't send you any texts" in conversation.reply("no")
    assert not conversation.tracker()["active_loop"].get("name")


def test_stop_at_the_reminder_question_stops(conversation):
    conversation.reply("can you remind me the night before bin day")
    conversation.reply(ELM_ROAD)
    conversation.reply("number 6")
    assert "Do you want these texts?" in conversation.reply("07700 900124")
    assert 'Reply "yes"' not in conversation.reply("stop")
    assert not conversation.tracker()["active_loop"].get("name")


def test_a_street_light_fault_in_the_first_message_and_a_weak_yes_that_does_not_send(
    conversation, council_db
):
    summary = conversation.reply("the street light outside number 5 Abbey Road is flickering")
    assert "Where: outside number 5 Abbey Road" in summary
    assert "Details: the street light outside number 5 Abbey Road is flickering" in summary
    before = request_count(council_db)
    assert 'Reply "yes" to send it' in conversation.reply("it's out")
    assert request_count(council_db) == before
    reference = reference_in(conversation.reply("yes"), "SL")
    assert stored(council_db, reference).location == "outside number 5 Abbey Road"


def test_no_with_the_right_bin_changes_the_report_instead_of_starting_again(
    conversation, council_db
):
    conversation.reply(f"my black bin wasnt collected at 27 Elm Road {ELM_ROAD}")
    changed = conversation.reply("no it was the food caddy")
    assert "I've changed that" in changed and "Missed bin: Food waste caddy" in changed
    assert "Nothing has been sent" not in changed
    reference = reference_in(conversation.reply("yes"), "MB")
    assert stored(council_db, reference).bin_stream == "food"
