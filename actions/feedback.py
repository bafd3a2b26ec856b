""" "Did that answer your question?": asked after an answer, once per topic per conversation.

The answering action calls `ask_feedback`, which sets `feedback_topic`; the resident's
yes or no reaches ActionReply (rules for affirm/deny and small talk route there) or
ActionFallback, which call `answer_feedback`. The answer is recorded in the tracker as
the `feedback_answer` slot, where the insight measures read it. Never asked after urgent answers.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.messaging import say
from bot.nlp.yes_no import read_answer

FEEDBACK_TOPIC = "feedback_topic"
FEEDBACK_ANSWER = "feedback_answer"
FEEDBACK_ASKED = "feedback_asked"
MAX_TOPICS = 50


def ask_feedback(dispatcher: CollectingDispatcher, tracker: Tracker, topic: str) -> list[EventType]:
    """Ask whether the answer about `topic` helped, unless already asked in this conversation.

    Returns the slot events to add to the action's own.
    """
    asked = [str(t) for t in (tracker.get_slot(FEEDBACK_ASKED) or [])]
    if not topic or topic in asked:
        return []
    say(dispatcher, "feedback_ask")
    return [SlotSet(FEEDBACK_TOPIC, topic), SlotSet(FEEDBACK_ASKED, [*asked, topic][-MAX_TOPICS:])]


def topic_awaiting_answer(tracker: Tracker) -> str | None:
    """The topic asked about in the assistant's last turn, if the question is still open.

    Only the turn right before the latest message counts: a "yes" later on is about
    something else.
    """
    topic = tracker.get_slot(FEEDBACK_TOPIC)
    if not topic:
        return None
    users_seen = 0
    for event in reversed(tracker.events or []):
        kind = event.get("event")
        if kind == "user":
            users_seen += 1
            if users_seen == 2:
                return None
        elif kind == "slot" and users_seen == 1 and event.get("name") == FEEDBACK_TOPIC:
            return str(event.get("value")) if event.get("value") == topic else None
    return None


def answer_feedback(
    dispatcher: CollectingDispatcher, tracker: Tracker, intent: str
) -> list[EventType] | None:
    """Handle a yes/no to the feedback question; None when the message is not one.

    The words decide (bot/nlp/yes_no.py): "not really" is a no even when the classifier
    says `affirm`. A message the classifier took for a yes or no that the words do not
    bear out gets the question again, with its buttons.
    """
    topic = topic_awaiting_answer(tracker)
    if topic is None:
        return None
    answer = read_answer(str(tracker.latest_message.get("text") or ""), intent)
    if answer == "unclear":
        if intent not in ("affirm", "deny"):
            return None  # something else: answered as usual
        say(dispatcher, "feedback_unclear")
        return [SlotSet(FEEDBACK_TOPIC, topic)]
    events: list[Any] = [SlotSet(FEEDBACK_ANSWER, answer), SlotSet(FEEDBACK_TOPIC, None)]
    if answer == "yes":
        say(dispatcher, "feedback_thanks")
    else:
        say(dispatcher, "feedback_not_helped")
        # Should they choose a person next, staff see why.
        events.append(SlotSet("handoff_reason", "answer_did_not_help"))
    return events
