"""Replies that need no look-up: conversation management, FAQs and urgent help."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.feedback import answer_feedback, ask_feedback
from actions.form_pause import forget_paused, say_how_to_carry_on
from actions.messaging import say
from actions.status import check_status, reference_alone
from bot.content import get_content
from bot.dialogue.frustration import sounds_frustrated
from bot.safety.labels import urgent_content_key

# Intents whose reply would not meet anger ("this bot is rubbish" is read as "are you a
# bot?", "the council is a disgrace" as contact details): frustration is answered instead.
# Never an urgent intent, a task or a form's answer: those have their own rules.
FRUSTRATION_MEETS = frozenset(
    {
        "out_of_scope",
        "bot_challenge",
        "inform",
        "affirm",
        "deny",
        "greet",
        "thank",
        "goodbye",
        "what_can_you_do",
        "cancel",
        "contact_council",
        "make_complaint",
    }
)
# An FAQ answer is kept over frustration when the classifier is this sure of it
# ("I'm fed up, how do I pay my council tax" still gets the answer).
FAQ_OVER_FRUSTRATION = 0.8


def latest_intent(tracker: Tracker) -> str:
    return str((tracker.latest_message.get("intent") or {}).get("name") or "")


def latest_confidence(tracker: Tracker) -> float:
    return float((tracker.latest_message.get("intent") or {}).get("confidence") or 0.0)


def answer_frustration(dispatcher: CollectingDispatcher) -> list[EventType]:
    """Acknowledge an angry or fed-up message; offer a complaint and a person."""
    say(dispatcher, "frustration_heard")
    return [SlotSet("fallback_count", 0)]


def sounds_frustrated_in(tracker: Tracker) -> bool:
    return sounds_frustrated(str(tracker.latest_message.get("text") or ""))


class ActionReply(Action):
    """Answers a conversation-management intent with `reply_<intent>`.

    Details given with nothing under way are used where the intent is plain: a
    reference on its own is a status check.
    """

    def name(self) -> str:
        return "action_reply"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent = latest_intent(tracker)
        feedback = answer_feedback(dispatcher, tracker, intent)
        if feedback is not None:
            return [SlotSet("fallback_count", 0), *feedback]
        if intent in FRUSTRATION_MEETS and sounds_frustrated_in(tracker):
            return answer_frustration(dispatcher)
        if intent == "inform" and tracker.get_slot("reference"):
            # Checked here, not by a follow-up action: no rule would follow that one, and
            # Rasa's core fallback would answer twice and hand over.
            reference = tracker.get_slot("reference")
            return [
                SlotSet("fallback_count", 0),
                *await check_status(dispatcher, tracker, reference),
            ]
        if intent == "inform" and tracker.get_slot("postcode"):
            say(dispatcher, "reply_inform_postcode", postcode=tracker.get_slot("postcode"))
            return [SlotSet("fallback_count", 0)]
        if intent == "cancel" and (dropped := forget_paused(dispatcher, tracker)):
            return [SlotSet("fallback_count", 0), *dropped]
        key = f"reply_{intent}"
        say(dispatcher, key if get_content().has(key) else "fallback_rephrase")
        return [SlotSet("fallback_count", 0)]


class ActionAnswerFaq(Action):
    """Answers an FAQ intent with `faq_<intent>` (text and a link to the council's page)."""

    def name(self) -> str:
        return "action_answer_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        topic = latest_intent(tracker)
        key = f"faq_{topic}"
        if sounds_frustrated_in(tracker) and (
            topic in FRUSTRATION_MEETS or latest_confidence(tracker) < FAQ_OVER_FRUSTRATION
        ):
            return answer_frustration(dispatcher)
        if not get_content().has(key):
            say(dispatcher, "fallback_rephrase")
            return [SlotSet("fallback_count", 0)]
        say(dispatcher, key)
        return [SlotSet("fallback_count", 0), *ask_feedback(dispatcher, tracker, topic)]


class ActionAnswerUrgent(Action):
    """Emergency help first, for every urgent label (bot/safety/labels.py); then how to
    carry on with a form the urgent need interrupted."""

    def name(self) -> str:
        return "action_answer_urgent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent = latest_intent(tracker)
        key = urgent_content_key(intent)
        # Whatever was misread, a message routed here must still show emergency help.
        say(dispatcher, key if get_content().has(key) else "urgent_safeguarding_concern")
        say_how_to_carry_on(dispatcher, tracker)
        return [SlotSet("fallback_count", 0)]


class ActionFallback(Action):
    """Low confidence: ask to rephrase; the second time in a row, hand over to a person."""

    def name(self) -> str:
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        # "nah not really" to "Did that answer your question?" can be too short to classify.
        feedback = answer_feedback(dispatcher, tracker, latest_intent(tracker))
        if feedback is not None:
            return [SlotSet("fallback_count", 0), *feedback]
        if sounds_frustrated_in(tracker):
            return answer_frustration(dispatcher)
        reference = tracker.get_slot("reference")
        if reference and reference_alone(tracker):
            # "PH-000002" after "I can't find a report with the reference PH-000001": the
            # next try (check_status keeps the look-up throttle).
            return [
                SlotSet("fallback_count", 0),
                *await check_status(dispatcher, tracker, reference),
            ]
        count = int(tracker.get_slot("fallback_count") or 0) + 1
        if count >= 2:
            say(dispatcher, "fallback_give_up")
            return [
                SlotSet("fallback_count", 0),
                SlotSet("handoff_reason", "not_understood"),
                FollowupAction("action_handoff"),
            ]
        say(dispatcher, "fallback_rephrase")
        return [SlotSet("fallback_count", count)]
