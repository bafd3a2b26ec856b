"""Checking a request's status: formats residents type, privacy, throttling."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.ask import AskReference
from actions.status import ActionCheckStatus, ValidateRequestStatusForm, says_more
from tests.actions.conftest import clear_caches, form_tracker, slot_events, texts
from tests.bot.services.open311_server import Open311TestServer


@pytest.mark.parametrize("typed", ["ph-473263", "PH 473263", "ph473263", " PH-473263 "])
async def test_references_are_accepted_as_residents_type_them(assistant, domain, typed):
    dispatcher = CollectingDispatcher()
    tracker = form_tracker("request_status_form", {}, {"reference": typed}, text=typed)
    events = await ValidateRequestStatusForm().run(dispatcher, tracker, domain)
    assert slot_events(events)["reference"] == "PH-473263"


@pytest.mark.parametrize("typed", ["473263", "PH-47326", "ZZ-473263", "'; select * from x"])
async def test_references_in_the_wrong_format_are_explained(assistant, domain, typed):
    dispatcher = CollectingDispatcher()
    tracker = form_tracker("request_status_form", {}, {"reference": typed}, text=typed)
    events = await ValidateRequestStatusForm().run(dispatcher, tracker, domain)
    assert slot_events(events)["reference"] is None
    assert "2 letters and 6 numbers" in texts(dispatcher)[0]


async def check(domain, reference, entities=None, sender="resident-1", slots=None, client=None):
    dispatcher = CollectingDispatcher()
    tracker = form_tracker(
        None,
        {"reference": reference, **(slots or {})},
        entities=entities,
        sender_id=sender,
        metadata={"client": client} if client else None,
    )
    await ActionCheckStatus().run(dispatcher, tracker, domain)
    return texts(dispatcher)[0]


async def test_reference_alone_shows_status_and_date_without_repeating_them(assistant, domain):
    said = await check(domain, "PH-473263")
    # The case's note says what the status says: it is not repeated.
    assert said == "PH-473263: we've received your report. Last updated Monday 9 November."
    assert "Kingfisher" not in said


async def test_a_note_that_adds_something_is_shown(assistant, domain):
    said = await check(domain, "PH-914323")
    assert said.startswith("PH-914323: we're working on it. Last updated Monday 16 November.")
    assert said.endswith("A crew has been assigned.")


@pytest.mark.parametrize(
    ("note", "status", "shown"),
    [
        ("We have received your report.", "we've received your report", False),
        ("We\u2019re working on it", "we're working on it", False),
        ("", "the report is open", False),
        ("A crew has been assigned.", "we're working on it", True),
        ("Closed: we could not find the problem reported.", "the report is closed", True),
    ],
)
def test_a_note_is_shown_only_when_it_says_more_than_the_status(note, status, shown):
    assert says_more(note, status) is shown


async def test_matching_postcode_adds_the_location(assistant, domain):
    said = await check(domain, "PH-473263", entities=[{"entity": "postcode", "value": "OB4 2ND"}])
    assert "Reported at: 18 Kingfisher Way" in said


async def test_wrong_postcode_shows_status_only(assistant, domain):
    said = await check(domain, "PH-473263", entities=[{"entity": "postcode", "value": "OB2 5JQ"}])
    assert "we've received your report" in said
    assert "Kingfisher" not in said


async def test_unknown_reference_gets_a_plain_answer(assistant, domain):
    said = await check(domain, "PH-000001")
    assert said.startswith("I can't find a report with the reference PH-000001.")


async def test_repeated_failed_lookups_are_throttled_even_for_real_references(assistant, domain):
    for attempt in range(5):
        said = await check(domain, f"PH-00000{attempt}", sender="prober")
        assert "can't find a report" in said
    said = await check(domain, "PH-473263", sender="prober")
    assert "can't check any more references" in said
    # Another conversation is not affected.
    assert "we've received your report" in await check(domain, "PH-473263", sender="someone")


async def test_new_conversations_from_one_client_do_not_reset_the_throttle(assistant, domain):
    """A prober opening a new widget session every 5 guesses is stopped after 4 of them."""
    for conversation in range(4):
        for attempt in range(5):
            said = await check(
                domain,
                f"PH-00{conversation}00{attempt}",
                sender=f"web-{conversation}",
                client="prober-address",
            )
            assert "can't find a report" in said
    said = await check(domain, "PH-473263", sender="web-new", client="prober-address")
    assert "can't check any more references" in said
    # Another client, or the same conversation id from elsewhere, is not affected.
    assert "we've received your report" in await check(
        domain, "PH-473263", sender="web-new", client="someone-else"
    )


@pytest.fixture
def open311(assistant, monkeypatch):
    """The actions pointed at a real Open311 server on loopback, whose ids are its own."""
    with Open311TestServer() as server:
        monkeypatch.setenv("CASE_SYSTEM", "open311")
        monkeypatch.setenv("OPEN311_URL", server.url)
        monkeypatch.setenv("OPEN311_API_KEY", server.api_key)
        clear_caches()
        yield server
    clear_caches()


@pytest.mark.parametrize("typed", ["638344", "#638344", "it's 638344 thanks", "ref: 638344."])
async def test_an_open311_reference_is_read_in_the_servers_own_form(open311, domain, typed):
    tracker = form_tracker("request_status_form", {}, {"reference": typed}, text=typed)
    events = await ValidateRequestStatusForm().run(CollectingDispatcher(), tracker, domain)
    assert slot_events(events)["reference"] == "638344"


@pytest.mark.parametrize(
    "said",
    ["any update on 638344?", "what's happening with #638344", "status of my report 638344 please"],
)
async def test_an_open311_id_in_the_first_message_is_not_asked_for_again(open311, domain, said):
    dispatcher = CollectingDispatcher()
    tracker = form_tracker("request_status_form", {}, text=said, intent="check_request_status")
    events = await ValidateRequestStatusForm().run(dispatcher, tracker, domain)
    assert slot_events(events)["reference"] == "638344"
    assert texts(dispatcher) == []


@pytest.mark.parametrize(
    "said",
    [
        "any update on my report from March 2025",
        "I reported it 2 weeks ago at number 12",
        "is 638344 or 638345 done",
        "what's the status of my report",
    ],
)
async def test_a_first_message_without_one_clear_open311_id_still_gets_the_question(
    open311, domain, said
):
    tracker = form_tracker("request_status_form", {}, text=said, intent="check_request_status")
    events = await ValidateRequestStatusForm().run(CollectingDispatcher(), tracker, domain)
    assert "reference" not in slot_events(events)


async def test_our_own_case_system_leaves_a_bare_number_in_the_first_message_alone(
    assistant, domain
):
    tracker = form_tracker(
        "request_status_form", {}, text="any update on 638344?", intent="check_request_status"
    )
    events = await ValidateRequestStatusForm().run(CollectingDispatcher(), tracker, domain)
    assert "reference" not in slot_events(events)


async def test_an_open311_reference_is_asked_for_and_checked_without_our_shape(open311, domain):
    dispatcher = CollectingDispatcher()
    await AskReference().run(dispatcher, form_tracker("request_status_form", {}), domain)
    assert texts(dispatcher) == [
        "What's the reference? It's in the message we sent when you reported it."
    ]
    typed = "'; select * from x"
    dispatcher = CollectingDispatcher()
    tracker = form_tracker("request_status_form", {}, {"reference": typed}, text=typed)
    events = await ValidateRequestStatusForm().run(dispatcher, tracker, domain)
    assert slot_events(events)["reference"] is None
    assert "Copy it from the message we sent you" in texts(dispatcher)[0]
    assert "2 letters" not in texts(dispatcher)[0]

    open311.add_request("638344", status="open", status_notes="A crew has been assigned.")
    said = await check(domain, "638344")
    assert said.startswith("638344: ") and "A crew has been assigned." in said
