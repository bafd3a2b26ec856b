"""The other yes/no steps read the words too: reminder consent and "did that help?".
A no the classifier took for `affirm` stays a no; a yes in words counts whatever the intent."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.notifications import ValidateRemindersForm
from actions.replies import ActionFallback, ActionReply
from bot.db.session import session_scope
from bot.services.notification_subscriptions import subscriptions_for
from tests.actions.conftest import form_tracker, slot_events, texts
from tests.actions.test_feedback import ASKED_ABOUT_TAX
from tests.actions.test_notifications import ADDRESS, NUMBER, tracker


async def consent(domain, text: str, intent: str, extracted: dict[str, Any] | None = None):
    dispatcher = CollectingDispatcher()
    events = await ValidateRemindersForm().run(
        dispatcher,
        tracker("sms", ADDRESS, extracted, text=text, intent=intent, requested="notify_consent"),
        domain,
    )
    return slot_events(events), texts(dispatcher)


@pytest.mark.parametrize(
    "text", ["I don't want them", "not really", "that's not right", "no thanks", "yeah right"]
)
async def test_a_no_read_as_affirm_switches_nothing_on(assistant, domain, text):
    slots, said = await consent(domain, text, "affirm", {"notify_consent": True})
    assert slots["notify_consent"] is False and slots["requested_slot"] is None
    assert said == ["OK, I won't send you any texts."]
    with session_scope(assistant) as session:
        assert subscriptions_for(session, NUMBER) == []


@pytest.mark.parametrize(
    ("text", "intent"),
    [("👍", "affirm"), ("not sure", "affirm"), ("maybe", "deny"), ("yes", "deny")],
)
async def test_an_unclear_answer_to_the_consent_question_asks_again(
    assistant, domain, text, intent
):
    extracted = {"notify_consent": intent == "affirm"}
    slots, said = await consent(domain, text, intent, extracted)
    assert slots["notify_consent"] is None and slots["requested_slot"] == "notify_consent"
    assert said == ['Reply "yes" if you want them, or "no" if you don\'t.']


async def test_a_yes_in_words_the_classifier_did_not_call_affirm_subscribes(assistant, domain):
    slots, _ = await consent(domain, "yes please", "subscribe_reminders")
    assert slots["notify_consent"] is True


def feedback_tracker(text: str, intent: str):
    tracker = form_tracker(None, {"feedback_topic": "council_tax_pay"}, intent=intent, text=text)
    tracker.events = [*ASKED_ABOUT_TAX, *tracker.events]
    return tracker


@pytest.mark.parametrize(
    ("text", "intent", "answer"),
    [
        ("not really", "affirm", "no"),
        ("it did not help", "affirm", "no"),
        ("that isn't right", "affirm", "no"),
        ("yes thanks", "thank", "yes"),
        ("/affirm", "affirm", "yes"),
        ("no", "deny", "no"),
    ],
)
async def test_did_that_help_is_answered_by_the_words(domain, text, intent, answer):
    dispatcher = CollectingDispatcher()
    events = await ActionReply().run(dispatcher, feedback_tracker(text, intent), domain)
    assert slot_events(events)["feedback_answer"] == answer


async def test_an_unclear_yes_to_did_that_help_asks_again_with_the_buttons(domain):
    dispatcher = CollectingDispatcher()
    events = await ActionReply().run(dispatcher, feedback_tracker("hmm", "affirm"), domain)
    slots = slot_events(events)
    assert "feedback_answer" not in slots and slots["feedback_topic"] == "council_tax_pay"
    assert texts(dispatcher) == ['Did that answer your question? Reply "yes" or "no".']
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == ["/affirm", "/deny"]


async def test_small_talk_after_did_that_help_is_answered_as_small_talk(domain):
    dispatcher = CollectingDispatcher()
    events = await ActionReply().run(dispatcher, feedback_tracker("hello", "greet"), domain)
    assert "feedback_answer" not in slot_events(events)


async def test_a_no_too_short_to_classify_still_answers_did_that_help(domain):
    dispatcher = CollectingDispatcher()
    events = await ActionFallback().run(dispatcher, feedback_tracker("nah", "nlu_fallback"), domain)
    slots = slot_events(events)
    assert slots["feedback_answer"] == "no" and slots["fallback_count"] == 0
    assert "different way" in texts(dispatcher)[0]
