"""Asides in the middle of a form: a question about something else, "why do you need that?",
"I don't know my postcode", or the same question failing again and again.

The form keeps its place: the validator answers the aside, leaves the slot empty, and the
form asks its question again. Nothing the resident asked is stored as an answer.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecutionRejected, EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answer_signals import sounds_like_an_answer
from actions.form_pause import restore_paused
from actions.messaging import say
from actions.report_places import names_a_street
from bot.content import get_content
from bot.safety.labels import URGENT

# A different question is only answered when the classifier is this sure of it.
ASIDE_CONFIDENCE = 0.7
# After this many answers to the same question that did not fit, offer other ways on.
ATTEMPTS_BEFORE_HELP = 3
MAX_ASIDE_LENGTH = 200

# Intents with their own rules during every form (data/rules/tasks.yml): the form must
# reject them (return no slots) so that those rules run.
INTERRUPTIONS = frozenset({"cancel", "request_human", "bot_challenge"}) | URGENT
TASK_INTENTS = (
    "bin_collection_day",
    "report_missed_bin",
    "report_pothole",
    "report_street_light",
    "report_fly_tipping",
    "check_request_status",
)
FORM_INTENTS = {
    "bin_day_form": "bin_collection_day",
    "missed_bin_form": "report_missed_bin",
    "pothole_form": "report_pothole",
    "street_light_form": "report_street_light",
    "fly_tipping_form": "report_fly_tipping",
    "request_status_form": "check_request_status",
}
QUESTION_STARTS = {
    "what",
    "whats",
    "what's",
    "when",
    "where",
    "wheres",
    "where's",
    "why",
    "how",
    "who",
    "which",
    "can",
    "could",
    "do",
    "does",
    "is",
    "are",
    "will",
    "would",
    "should",
    "shall",
}
_WHY = re.compile(
    r"^(?:but |and |ok |okay |so )?why\b|\bwhat(?:'s| is| do you need| d'you need)? "
    r"(?:it|that|this|my \w+) for\b|^what for\b",
    re.IGNORECASE,
)
_DONT_KNOW = re.compile(
    r"\b(?:don'?t|do not|dont|doesn'?t|dunno|not sure|no idea|can'?t remember|forgot|"
    r"can'?t find|haven'?t got|have not got|don'?t have|lost)\b",
    re.IGNORECASE,
)
# A request for something else said as a statement (then the classifier must be surer).
_REQUEST = re.compile(
    r"^(?:(?:actually|no|sorry|ok|okay|oh|wait|hang on|but)\W+)*(?:i want to|i need to|"
    r"i'?d like to|i would like to|i wanna|can i|could i|how do i|where do i|where can i)\b",
    re.IGNORECASE,
)
SWITCH_CONFIDENCE = 0.8
# "What?", "pardon?", "what do you mean": the question was not understood.
_PARDON = re.compile(
    r"^(?:what|wot|huh|eh|pardon|sorry|come again)\W*$|what do you mean|don'?t understand"
    r"|what does that mean",
    re.IGNORECASE,
)
SHORT_REPLY_WORDS = 6
# Small talk in the middle of a form: a short reply, then the question again ("bye" stops).
SMALL_TALK_CONFIDENCE = 0.8  # "hmm" can come out as a greeting at 0.7
SMALL_TALK = {"greet": "form_hello", "thank": "form_thanks", "goodbye": "form_goodbye"}
# Slots that take the resident's own words: a question there needs more certainty.
FREE_TEXT_SLOTS = ("problem_location", "pothole_size", "problem_description")
FREE_TEXT_QUESTION_CONFIDENCE = 0.9
# The slots whose answer has a fixed shape: "I don't know" cannot be the answer itself.
SHAPED_SLOTS = ("postcode", "address_uprn", "reference", "bin_stream")


def interrupted(tracker: Tracker) -> bool:
    """The latest message is one the rules answer even mid-form (cancel, a person, urgent
    help, "are you a bot?"): a validator must leave it alone so the form gives way."""
    return _intent(tracker)[0] in INTERRUPTIONS


def is_question(text: str) -> bool:
    """True for 'how much is it?', 'can I pay online', 'why'."""
    words = text.strip().lower().split()
    return text.strip().endswith("?") or (bool(words) and words[0] in QUESTION_STARTS)


def asks_a_question(text: str, slot: str, confidence: float) -> bool:
    """A question the classifier is sure enough of to answer instead of taking `text` as the
    answer. A free-text answer ("which is by the bins on High Street", "how big? a metre")
    must end with '?' or be very clearly a question with no street or number in it."""
    if not is_question(text) or confidence < ASIDE_CONFIDENCE:
        return False
    if slot not in FREE_TEXT_SLOTS:
        return True
    if text.rstrip().endswith("?"):
        return True
    return confidence >= FREE_TEXT_QUESTION_CONFIDENCE and not (
        names_a_street(text) or any(ch.isdigit() for ch in text)
    )


def asks_for_something(text: str) -> bool:
    """'actually I want to report a pothole instead', 'I need to pay my council tax'."""
    return len(text) <= MAX_ASIDE_LENGTH and bool(_REQUEST.search(text.strip()))


def asks_why(text: str) -> bool:
    """'why do you need that?', 'what's that for?': the resident asks why we ask."""
    return len(text) <= 80 and bool(_WHY.search(text.strip()))


def says_dont_know(text: str) -> bool:
    """'I don't know my postcode', 'no idea', 'I've lost it'."""
    return len(text) <= 120 and bool(_DONT_KNOW.search(text.replace("\u2019", "'")))


def attempts_at(tracker: Tracker, slot: str) -> int:
    """How many answers the resident has given to the question for `slot`, this time round."""
    count, current = 0, None
    for event in tracker.events:
        kind = event.get("event")
        if kind == "slot" and event.get("name") == "requested_slot":
            if event.get("value") not in (slot, None):
                count = 0
            current = event.get("value")
        elif kind == "active_loop" and event.get("name") is None:
            count, current = 0, None
        elif kind == "user" and current == slot:
            count += 1
    return count


def _intent(tracker: Tracker) -> tuple[str, float]:
    intent = tracker.latest_message.get("intent") or {}
    return str(intent.get("name") or ""), float(intent.get("confidence") or 0.0)


def answer_aside(
    dispatcher: CollectingDispatcher, tracker: Tracker, slot: str, *, found_value: bool = False
) -> dict[str, Any] | None:
    """Answer the latest message if it is an aside rather than an answer for `slot`.

    Only while the form is asking for `slot`. `found_value`: an answer of the right shape was
    found in the message (then only a clear question about something else is an aside).
    None when it is not an aside; else the slots to set besides leaving `slot` empty
    (`requested_slot: None` ends the form, for "bye").
    """
    if tracker.get_slot("requested_slot") != slot:
        return None
    message = str(tracker.latest_message.get("text") or "").strip()[:MAX_ASIDE_LENGTH]
    intent, confidence = _intent(tracker)
    content = get_content()
    form = (tracker.active_loop or {}).get("name", "")
    # A button tapped under an earlier answer sends "/intent": never an answer to store.
    tapped = message.startswith("/")
    # In the resident's own words, a street or a number means it is an answer after all.
    could_be_answer = slot in FREE_TEXT_SLOTS and sounds_like_an_answer(message)
    # At a free-text question, another request was judged before (actions/topic_change.py),
    # more carefully than here: what it let through is an answer.
    judged = slot in FREE_TEXT_SLOTS and not tapped
    if (
        tapped
        or asks_a_question(message, slot, confidence)
        or (asks_for_something(message) and confidence >= SWITCH_CONFIDENCE and not could_be_answer)
    ):
        if content.has(f"faq_{intent}") and not judged:
            say(dispatcher, f"faq_{intent}")
            say(dispatcher, "form_back_to_it")
            return {}
        if intent in TASK_INTENTS and intent != FORM_INTENTS.get(form) and not judged:
            say(dispatcher, "form_one_thing_at_a_time")
            return {}
        if intent == "out_of_scope" and not found_value:
            say(dispatcher, "form_out_of_scope")
            return {}
    if found_value:
        return None
    if tapped:
        say(dispatcher, f"why_{slot}" if content.has(f"why_{slot}") else "why_generic")
        return {}
    short = len(message.split()) <= SHORT_REPLY_WORDS
    if (asks_why(message) and not could_be_answer) or (
        short and (_PARDON.search(message) or (intent == "what_can_you_do" and confidence >= 0.6))
    ):
        say(dispatcher, f"why_{slot}" if content.has(f"why_{slot}") else "why_generic")
        return {}
    if slot in SHAPED_SLOTS and says_dont_know(message):
        key = f"dont_know_{slot}"
        if content.has(key):
            say(dispatcher, key)
            return {}
    if short and confidence >= SMALL_TALK_CONFIDENCE and intent in SMALL_TALK:
        say(dispatcher, SMALL_TALK[intent])
        return {"requested_slot": None} if intent == "goodbye" else {}
    if short and slot in SHAPED_SLOTS and intent == "deny" and confidence >= ASIDE_CONFIDENCE:
        say(dispatcher, "form_no_answer")
        return {}
    return None


def offer_help_when_stuck(dispatcher: CollectingDispatcher, tracker: Tracker, slot: str) -> None:
    """After several answers that did not fit, say how else to get it done."""
    if tracker.get_slot("requested_slot") == slot and attempts_at(tracker, slot) >= (
        ATTEMPTS_BEFORE_HELP
    ):
        say(dispatcher, "form_stuck")


def unclear_answer(
    dispatcher: CollectingDispatcher, tracker: Tracker, slot: str, unclear_key: str
) -> dict[str, Any]:
    """For a yes/no question that got neither: answer an aside, else say `unclear_key`.
    The slots to set (`slot` empty, so the question is asked again); the tracker is updated."""
    aside = answer_aside(dispatcher, tracker, slot)
    if aside is None:
        say(dispatcher, unclear_key)
    result = {slot: None, **(aside or {})}
    tracker.slots.update(result)
    return result


def validated(events: list[dict[str, Any]], slot: str) -> bool:
    """Whether `events` already set `slot` this turn."""
    return any(e.get("event") == "slot" and e.get("name") == slot for e in events)


def answering_now(tracker: Tracker, form: str) -> bool:
    """True when the form runs straight after the resident's message (not after a rule's
    reply, such as the answer to "are you a bot?")."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return True
        if event.get("event") == "action" and event.get("name") not in (form, "action_listen"):
            return False
    return False


class GiveWayToInterruptions:
    """Mix into a FormValidationAction: when the message is one the rules answer mid-form
    ("cancel", a person, homelessness, safeguarding, "are you a bot?") but it also carried a
    slot value (a postcode or reference), Rasa would not reject the form by itself and the
    rule would never run. Reject it here, so urgent help comes first."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        form = self.form_name()  # type: ignore[attr-defined]
        if (
            interrupted(tracker)
            and tracker.get_slot("requested_slot")
            and answering_now(tracker, form)
        ):
            return [ActionExecutionRejected(form)]
        restored = restore_paused(tracker, form)
        if restored:
            say(dispatcher, "form_resumed")
            tracker.slots.update({e["name"]: e["value"] for e in restored})
        events = await super().run(dispatcher, tracker, domain)  # type: ignore[misc]
        return [*restored, *events]
