"""'Did that answer your question?': asked after FAQ answers once per topic, answered by
yes/no through action_reply, never after urgent answers."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.replies import ActionAnswerFaq, ActionAnswerUrgent, ActionReply
from tests.actions.conftest import form_tracker, slot_events, texts


def _tracker(intent: str, slots: dict[str, Any], history: list[dict[str, Any]]) -> Tracker:
    """A tracker whose latest message has `intent`, after the events in `history`."""
    said = {"affirm": "yes", "deny": "no"}.get(intent, "")
    tracker = form_tracker(None, slots, intent=intent, text=said)
    tracker.events = [*history, *tracker.events]
    return tracker


ASKED_ABOUT_TAX = [
    {
        "event": "user",
        "text": "how do I pay council tax",
        "parse_data": {"intent": {"name": "council_tax_pay"}},
    },
    {"event": "action", "name": "action_answer_faq"},
    {"event": "slot", "name": "feedback_topic", "value": "council_tax_pay"},
    {"event": "action", "name": "action_listen"},
]


async def test_an_faq_answer_asks_whether_it_helped_with_yes_and_no_buttons(domain) -> None:
    dispatcher = CollectingDispatcher()
    tracker = form_tracker(None, {}, intent="council_tax_pay")
    events = await ActionAnswerFaq().run(dispatcher, tracker, domain)
    assert texts(dispatcher)[-1] == "Did that answer your question?"
    assert [b["payload"] for b in dispatcher.messages[-1]["buttons"]] == ["/affirm", "/deny"]
    slots = slot_events(events)
    assert slots["feedback_topic"] == "council_tax_pay"
    assert slots["feedback_asked"] == ["council_tax_pay"]


async def test_the_question_is_not_asked_twice_about_one_topic(domain) -> None:
    dispatcher = CollectingDispatcher()
    tracker = form_tracker(None, {"feedback_asked": ["council_tax_pay"]}, intent="council_tax_pay")
    events = await ActionAnswerFaq().run(dispatcher, tracker, domain)
    assert len(dispatcher.messages) == 1
    assert "feedback_topic" not in slot_events(events)


async def test_urgent_answers_do_not_ask_for_feedback(domain) -> None:
    dispatcher = CollectingDispatcher()
    await ActionAnswerUrgent().run(
        dispatcher, form_tracker(None, {}, intent="homelessness"), domain
    )
    assert "Did that answer your question?" not in texts(dispatcher)


async def test_yes_records_the_answer_and_thanks_the_resident(domain) -> None:
    dispatcher = CollectingDispatcher()
    tracker = _tracker("affirm", {"feedback_topic": "council_tax_pay"}, ASKED_ABOUT_TAX)
    events = await ActionReply().run(dispatcher, tracker, domain)
    slots = slot_events(events)
    assert (slots["feedback_answer"], slots["feedback_topic"]) == ("yes", None)
    assert texts(dispatcher)[0].startswith("Thanks for letting us know")


async def test_no_records_the_answer_and_offers_rephrasing_or_a_person(domain) -> None:
    dispatcher = CollectingDispatcher()
    tracker = _tracker("deny", {"feedback_topic": "council_tax_pay"}, ASKED_ABOUT_TAX)
    events = await ActionReply().run(dispatcher, tracker, domain)
    slots = slot_events(events)
    assert slots["feedback_answer"] == "no"
    assert slots["handoff_reason"] == "answer_did_not_help"
    assert "different way" in texts(dispatcher)[0]
    assert dispatcher.messages[0]["buttons"][0]["payload"] == "/request_human"


async def test_a_yes_turns_later_is_not_taken_as_feedback(domain) -> None:
    later = [
        *ASKED_ABOUT_TAX,
        {"event": "user", "text": "thanks", "parse_data": {"intent": {"name": "thank"}}},
        {"event": "action", "name": "action_reply"},
        {"event": "action", "name": "action_listen"},
    ]
    dispatcher = CollectingDispatcher()
    tracker = _tracker("affirm", {"feedback_topic": "council_tax_pay"}, later)
    events = await ActionReply().run(dispatcher, tracker, domain)
    assert "feedback_answer" not in slot_events(events)
    assert texts(dispatcher)[0].startswith("OK. What would you like to do next?")
