"""Problem-report forms: validation, business rules, confirmation, submission, cancelling."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import func, select

from actions.ask import AskBinStream, AskConfirmReport
from actions.missed_bin import ValidateMissedBinForm
from actions.reports import (
    ActionCancelForm,
    ActionSubmitReport,
    ValidateFlyTippingForm,
    ValidatePotholeForm,
)
from bot.db.models import ServiceRequest
from bot.db.session import session_scope
from tests.actions.conftest import form_tracker, set_now, slot_events, texts

SEVEN_ELM_ROAD = "100090000120"
AT_SEVEN_ELM = {"postcode": "OB2 5JQ", "address_uprn": SEVEN_ELM_ROAD}


def count_requests(engine) -> int:
    with session_scope(engine) as session:
        return session.execute(select(func.count()).select_from(ServiceRequest)).scalar_one()


async def validate_missed_bin(domain, slots, new_slots, text=""):
    dispatcher = CollectingDispatcher()
    tracker = form_tracker("missed_bin_form", slots=slots, new_slots=new_slots, text=text)
    events = await ValidateMissedBinForm().run(dispatcher, tracker, domain)
    return slot_events(events), texts(dispatcher)


async def test_bins_of_the_address_are_offered_as_choices(assistant, domain):
    dispatcher = CollectingDispatcher()
    await AskBinStream().run(dispatcher, form_tracker("missed_bin_form", AT_SEVEN_ELM), domain)
    titles = {b["title"] for b in dispatcher.messages[0]["buttons"]}
    assert titles == {
        "Black wheelie bin",
        "Blue wheelie bin",
        "Food waste caddy",
        "Green wheelie bin",
    }


async def test_missed_bin_can_be_reported_the_day_after_collection(assistant, domain, monkeypatch):
    set_now(monkeypatch, "2026-11-18T08:00:00")  # black bin was due Tuesday 17 November
    slots, said = await validate_missed_bin(domain, AT_SEVEN_ELM, {"bin_stream": "the black one"})
    assert slots["bin_stream"] == "refuse"
    assert said == []


async def test_missed_bin_cannot_be_reported_on_or_before_collection_day(
    assistant, domain, monkeypatch
):
    set_now(monkeypatch, "2026-11-17T15:00:00")
    slots, said = await validate_missed_bin(domain, AT_SEVEN_ELM, {"bin_stream": "black bin"})
    assert slots == {"bin_stream": None, "requested_slot": None}  # the form ends
    assert "due on Tuesday 17 November" in said[0]


async def test_missed_bin_cannot_be_reported_after_two_working_days(assistant, domain, monkeypatch):
    set_now(monkeypatch, "2026-11-20T09:00:00")  # Friday: Wednesday and Thursday have passed
    slots, said = await validate_missed_bin(domain, AT_SEVEN_ELM, {"bin_stream": "rubbish"})
    assert slots == {"bin_stream": None, "requested_slot": None}
    assert "up to 2 working days after" in said[0]


async def test_unclear_bin_is_asked_again_with_the_choices(assistant, domain, monkeypatch):
    set_now(monkeypatch, "2026-11-18T08:00:00")
    slots, said = await validate_missed_bin(domain, AT_SEVEN_ELM, {"bin_stream": "the bin"})
    assert slots == {"bin_stream": None}
    assert "black wheelie bin" in said[0]


async def test_confirmed_missed_bin_is_lodged_with_a_reference_and_duplicates_refused(
    assistant, domain, monkeypatch
):
    set_now(monkeypatch, "2026-11-18T08:00:00")
    before = count_requests(assistant)
    filled = {**AT_SEVEN_ELM, "bin_stream": "refuse", "confirm_report": True}
    tracker = form_tracker(None, filled)
    tracker.events.append({"event": "active_loop", "name": "missed_bin_form"})
    dispatcher = CollectingDispatcher()
    events = await ActionSubmitReport().run(dispatcher, tracker, domain)
    said = texts(dispatcher)[0]
    assert "Your reference is MB-" in said
    assert count_requests(assistant) == before + 1
    slots = slot_events(events)
    assert all(
        slots[name] is None for name in ("postcode", "address_uprn", "bin_stream", "confirm_report")
    )
    assert "feedback_topic" not in slots
    assert not any("Did that answer" in line for line in texts(dispatcher))

    reference = said.split("Your reference is ")[1][:9]
    slots, again = await validate_missed_bin(domain, AT_SEVEN_ELM, {"bin_stream": "black"})
    assert slots == {"bin_stream": None, "requested_slot": None}
    assert reference in again[0] and "already an open report" in again[0]


async def test_report_is_not_lodged_without_confirmation(assistant, domain):
    before = count_requests(assistant)
    tracker = form_tracker(None, {**AT_SEVEN_ELM, "bin_stream": "refuse", "confirm_report": None})
    tracker.events.append({"event": "active_loop", "name": "missed_bin_form"})
    dispatcher = CollectingDispatcher()
    await ActionSubmitReport().run(dispatcher, tracker, domain)
    assert dispatcher.messages == []
    assert count_requests(assistant) == before


async def test_pothole_summary_then_no_starts_again_without_sending(assistant, domain):
    filled = {
        "problem_location": "outside 14 High Street",
        "pothole_size": "dinner plate, deep",
        "problem_description": "near the bus stop",
    }
    dispatcher = CollectingDispatcher()
    await AskConfirmReport().run(dispatcher, form_tracker("pothole_form", filled), domain)
    summary = dispatcher.messages[0]["text"]
    assert "Where: outside 14 High Street" in summary and "Shall I send it?" in summary
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == ["/affirm", "/deny"]

    dispatcher = CollectingDispatcher()
    tracker = form_tracker(
        "pothole_form",
        {**filled, "requested_slot": "confirm_report"},
        {"confirm_report": False},
        text="no",
        intent="deny",
    )
    events = await ValidatePotholeForm().run(dispatcher, tracker, domain)
    slots = slot_events(events)
    assert slots["problem_location"] is None and slots["confirm_report"] is None
    assert "Nothing has been sent" in texts(dispatcher)[0]


async def test_confirmed_pothole_is_lodged(assistant, domain):
    before = count_requests(assistant)
    filled = {
        "problem_location": "outside 14 High Street",
        "pothole_size": "dinner plate",
        "problem_description": "no",
        "confirm_report": True,
    }
    tracker = form_tracker(None, filled)
    tracker.events.append({"event": "active_loop", "name": "pothole_form"})
    dispatcher = CollectingDispatcher()
    await ActionSubmitReport().run(dispatcher, tracker, domain)
    assert "Your reference is PH-" in texts(dispatcher)[0]
    assert count_requests(assistant) == before + 1


async def test_locations_too_short_long_or_without_words_are_asked_again(assistant, domain):
    for typed, expected in [
        ("x", "need a bit more"),
        ("12345", "need a bit more"),
        ("a" * 400, "too long"),
    ]:
        dispatcher = CollectingDispatcher()
        tracker = form_tracker("pothole_form", {}, {"problem_location": typed}, text=typed)
        events = await ValidatePotholeForm().run(dispatcher, tracker, domain)
        assert slot_events(events)["problem_location"] is None
        assert expected in texts(dispatcher)[0]


async def test_sql_looking_and_odd_unicode_text_is_stored_as_plain_text(assistant, domain):
    typed = "Robert'); DROP TABLE service_requests;-- \u202e near \U0001f6a7 the school"
    dispatcher = CollectingDispatcher()
    tracker = form_tracker("fly_tipping_form", {}, {"problem_location": typed}, text=typed)
    events = await ValidateFlyTippingForm().run(dispatcher, tracker, domain)
    location = slot_events(events)["problem_location"]
    assert "DROP TABLE" in location and "\u202e" not in location
    filled = {
        "problem_location": location,
        "problem_description": "mattress",
        "confirm_report": True,
    }
    tracker = form_tracker(None, filled)
    tracker.events.append({"event": "active_loop", "name": "fly_tipping_form"})
    await ActionSubmitReport().run(CollectingDispatcher(), tracker, domain)
    with session_scope(assistant) as session:
        stored = (
            session.execute(
                select(ServiceRequest.location)
                .where(ServiceRequest.category == "fly_tipping")
                .order_by(ServiceRequest.id.desc())
            )
            .scalars()
            .first()
        )
    assert stored == location


async def test_cancel_stops_the_form_and_clears_it(assistant, domain):
    dispatcher = CollectingDispatcher()
    tracker = form_tracker("pothole_form", {"problem_location": "High Street"}, intent="cancel")
    events = await ActionCancelForm().run(dispatcher, tracker, domain)
    assert {"event": "active_loop", "name": None} in [
        {"event": e["event"], "name": e.get("name")} for e in events if e["event"] == "active_loop"
    ]
    assert slot_events(events)["problem_location"] is None
    assert "Nothing has been sent" in texts(dispatcher)[0]
