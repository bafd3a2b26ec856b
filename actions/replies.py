"""Replies that need no look-up: conversation management, FAQs and urgent help."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.feedback import answer_feedback, ask_feedback
from actions.messaging import say
from actions.status import check_status
from bot.content import get_content


def latest_intent(tracker: Tracker) -> str:
    return str((tracker.latest_message.get("intent") or {}).get("name") or "")


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
        if intent == "inform" and tracker.get_slot("reference"):
            # Checked here, not by a follow-up action: no rule would follow that one, and
            # Rasa's core fallback would answer twice and hand over.
            reference = tracker.get_slot("reference")
            return [SlotSet("fallback_count", 0), *await check_status(dispatcher, tracker,
                                                                      reference)]
        if intent == "inform" and tracker.get_slot("postcode"):
            say(dispatcher, "reply_inform_postcode", postcode=tracker.get_slot("postcode"))
            return [SlotSet("fallback_count", 0)]
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
        if not get_content().has(key):
            say(dispatcher, "fallback_rephrase")
            return [SlotSet("fallback_count", 0)]
        say(dispatcher, key)
        return [SlotSet("fallback_count", 0), *ask_feedback(dispatcher, tracker, topic)]


class ActionAnswerUrgent(Action):
    """Emergency signposting first, for homelessness and safeguarding."""

    def name(self) -> str:
        return "action_answer_urgent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent = latest_intent(tracker)
        key = f"urgent_{intent}"
        # Whatever was misread, a message routed here must still show emergency help.
        say(dispatcher, key if get_content().has(key) else "urgent_safeguarding_concern")
        return [SlotSet("fallback_count", 0)]


class ActionFallback(Action):
    """Low confidence: ask to rephrase; the second time in a row, hand over to a person."""

    def name(self) -> str:
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
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
