"""A change of topic is not an answer: at a question that takes the resident's own words
(where is it, how big, what is wrong), a message that is clearly another request ("any update
on PH-473263", "when is my bin day?", "how do I pay my council tax") is answered, and the
form asks its question again. Nothing of it is stored.

The classifier alone is not enough: "which is by the bins on High Street" reads as a bin-day
question at 0.95, "a sofa, two chairs and a broken TV" as bulky waste at 0.93. So its intent
and confidence are combined with what the words show:
- a reference ('PH-473263') is never part of a place or a description: always another request;
- the shape of a question or a request ("when is ...", "how do I ...", "I need to ...", "?");
- a service named ("bin day", "council tax", "parking permit");
- against these, signs of an answer: a street, a place word ("outside", "behind"), a number,
  a size, things dumped, a lamp's fault. With those, only a sure classifier and an explicit
  question or request make it another request.
Examples both ways, measured on the trained model: tests/conversations/test_topic_change_lists.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answer_signals import sounds_like_an_answer
from actions.form_asides import FORM_INTENTS
from actions.messaging import say
from actions.status import check_status, reference_in_sentence
from bot.content import get_content
from bot.safety.labels import URGENT

# Intents that are not a council request of their own: an answer, small talk, or those the
# rules answer in every form (cancel, a person, urgent help).
NOT_A_REQUEST = (
    frozenset(
        {
            "",
            "inform",
            "nlu_fallback",
            "out_of_scope",
            "affirm",
            "deny",
            "greet",
            "thank",
            "goodbye",
            "bot_challenge",
            "what_can_you_do",
            "cancel",
            "request_human",
        }
    )
    | URGENT
)

# The classifier must be at least this sure of the other request when the message has the
# shape of a question or request and no sign of an answer: as sure as the fallback asks of
# any answer (config.yml), since "I also want to report a missed bin" is read at 0.47-0.50 ...
SHAPED_CONFIDENCE = 0.46
# ... this sure when it is a plain statement of another task with no sign of an answer
# ("my bin wasn't collected yesterday") ...
STATEMENT_CONFIDENCE = 0.9
# ... and, when it also has a sign of an answer, this sure with a request said outright
# ("actually I need to report a broken street light too") ...
ANSWER_LIKE_REQUEST_CONFIDENCE = 0.7
# ... or this sure with a question mark or a service named ("there's also fly-tipping on the
# next street, can I report that too?").
ANSWER_LIKE_CONFIDENCE = 0.9
MAX_TEXT = 200

_REFERENCE = re.compile(r"\b(?:MB|PH|SL|FT)\s*[-\u2013\u2014_/.]?\s*\d{6}\b", re.IGNORECASE)
# A question's opening: a question word with the verb or noun that makes it one ("which is
# by the bins" and "when it rains" are answers), or an auxiliary asking about someone.
_QUESTION = re.compile(
    r"^(?:(?:ok|okay|oh|and|also|sorry|actually|btw|but|so|hi|hello)\W+)*(?:"
    r"(?:what|when|where|how|who)'s\b|(?:whats|whens|wheres|hows|whos)\b"
    r"|which (?:day|days|bin|bins|number|council)\b"  # "which is by the bins": a place
    r"|(?:what|when|where|wen|how|who|why)(?:\s+(?:is|are|was|were|"
    r"do|does|did|can|could|will|would|should|shall|has|have|day|days|time|times|number|goes|"
    r"go|much|many|long|often|happens|happened)\b)"
    r"|(?:can|could|may|do|does|did|is|are|will|would|has|have|shall|should)\s+(?:i|you|we|my|"
    r"the|there|someone|anyone|they|u)\b)",
    re.IGNORECASE,
)
# A request for something else said as a statement.
_REQUEST = re.compile(
    r"^(?:(?:actually|no|sorry|ok|okay|oh|wait|hang on|but|and|also|btw|hi)\W+)*"
    r"(?:i|we)\s+(?:also\s+|really\s+|just\s+)?(?:want|need|wanna|would like|'d like|d like|"
    r"have)\s+(?:to\s+)?(?:know|ask|report|check|book|pay|apply|order|get|find|register|"
    r"cancel|complain|speak|talk|see)\b"
    r"|\b(?:can|could) (?:i|you|we) (?:also |just )?(?:report|check|book|pay|apply|order|"
    r"find|register)\b"
    r"|^(?:(?:ok|okay|oh|and|also|sorry|actually|btw|but|so)\W+)*(?:how|where|when) (?:do|can|"
    r"should|would) (?:i|we)\b"
    r"|^(?:check|tell me|show me|update on|any update|any news|status of|progress on)\b",
    re.IGNORECASE,
)
# Council services named by the resident: not words a place or a problem is described in.
_SERVICE = re.compile(
    r"\b(?:bin day|bins? days?|collection days?|(?:bins?|recycling|rubbish) (?:go|goes|get|gets)"
    r" (?:out|collected|emptied)|council tax|parking (?:permit|fine|ticket)s?|blue badge|"
    r"register(?:ed)? to vote|electoral (?:roll|register)|opening (?:hours|times)|phone number|"
    r"school places?|planning (?:permission|application)|housing (?:register|list|repair)s?|"
    r"bulky (?:waste|items?)|garden waste (?:subscription|collection|bin)|new bin|"
    r"replacement bin|recycling centre|my (?:report|reference)|update on|progress on|"
    r"(?:collect|collecting|empty|emptying)(?: the| my)? (?:garden waste|recycling|food waste|"
    r"bins?)|"
    r"status of|(?:bin|bins|recycling) (?:was|were|has|have|had)?\s*(?:n't|not) (?:been )?"
    r"(?:collected|emptied|picked up)|missed (?:bin|collection)|make a complaint)\b",
    re.IGNORECASE,
)


# A question put to the council about what it does: "can I put pizza boxes in recycling",
# "do you do garden waste collections" (not "is that enough?").
_ASKS_COUNCIL = re.compile(
    r"^(?:(?:ok|okay|oh|and|also|sorry|actually|btw|but|so)\W+)*(?:can|could|do|does|should|"
    r"may|will|would) (?:i|we|you|u)\b",
    re.IGNORECASE,
)
# A plain statement is another request only when it is another task ("my bin wasn't
# collected yesterday"); read as an FAQ, a statement is a description mentioning something
# ("on the bend just after the primary school" as school admissions, at 0.93).
STATEMENT_TASKS = frozenset(
    {
        "bin_collection_day",
        "report_missed_bin",
        "report_pothole",
        "report_street_light",
        "report_fly_tipping",
        "check_request_status",
    }
)
_AGAIN = re.compile(r"\b(?:also|too|another|as well)\b", re.IGNORECASE)
# The classifier's "not sure": a service named outright is still not an answer ("council tax").
UNSURE = frozenset({"nlu_fallback", "out_of_scope"})


def other_request_intent(intent: str, own_intent: str) -> bool:
    """True for an FAQ or a task ('council_tax_pay', 'check_request_status') that is not the
    one the form is doing (`own_intent`: 'report_pothole' in the pothole form)."""
    return intent not in NOT_A_REQUEST and intent != own_intent


@dataclass(frozen=True)
class Reading:
    """What a message is made of, for deciding whether it answers or asks something else."""

    another: bool
    asks_council: bool
    reference: bool
    question: bool
    request: bool
    service: bool
    answer_like: bool


def read_message(text: str) -> Reading:
    """The signals of `text` (a plain string; the classifier's view is added by the caller)."""
    said = " ".join(str(text or "").replace("\u2019", "'").split())[:MAX_TEXT]
    without_reference = _REFERENCE.sub(" ", said)
    return Reading(
        another=bool(_AGAIN.search(said)),
        asks_council=bool(_ASKS_COUNCIL.search(said)),
        reference=bool(_REFERENCE.search(said)),
        question=said.endswith("?") or bool(_QUESTION.search(said)),
        request=bool(_REQUEST.search(said)),
        service=bool(_SERVICE.search(said)),
        answer_like=sounds_like_an_answer(without_reference),
    )


def is_another_request(
    text: str, intent: str, own_intent: str, confidence: float, reference_found: bool = False
) -> bool:
    """True when `text`, said at a free-text question, is another request, not an answer.

    `intent` and `confidence`: the classifier's reading; `own_intent`: the form's own task
    ('report_pothole'); `reference_found`: a reference entity was extracted (our own shape
    is also found in the text itself).
    """
    reading = read_message(text)
    if reading.reference or reference_found:
        return True
    said = " ".join(str(text or "").split())
    if intent in UNSURE:
        return reading.service and not reading.answer_like
    # "I need to report a broken street light too", in the street light form: another one.
    again = intent == own_intent and reading.request and reading.another
    if not (other_request_intent(intent, own_intent) or again):
        return False
    if reading.answer_like:
        if reading.request:
            return confidence >= ANSWER_LIKE_REQUEST_CONFIDENCE
        explicit = said.endswith("?") or reading.service or reading.asks_council
        return explicit and confidence >= ANSWER_LIKE_CONFIDENCE
    if reading.question or reading.request or reading.service:
        return confidence >= SHAPED_CONFIDENCE
    return intent in STATEMENT_TASKS and confidence >= STATEMENT_CONFIDENCE


async def answer_another_request(
    dispatcher: CollectingDispatcher, tracker: Tracker, slot: str, form: str
) -> dict[str, Any] | None:
    """While `form` asks for free-text `slot`: answer a message that is another request, and
    return the slots to set (`slot` stays empty, so the form asks its question again); None
    when the message is an answer. A reference is looked up (throttled as ever), an FAQ is
    answered, another task waits until this one is done."""
    message = str(tracker.latest_message.get("text") or "").strip()
    if tracker.get_slot("requested_slot") != slot or message.startswith("/"):
        return None  # a tapped button is answer_aside's
    intent = tracker.latest_message.get("intent") or {}
    name, confidence = str(intent.get("name") or ""), float(intent.get("confidence") or 0.0)
    found = next(
        (
            str(e.get("value"))
            for e in tracker.latest_message.get("entities", [])
            if e.get("entity") == "reference"
        ),
        None,
    )
    if not is_another_request(
        message, name, FORM_INTENTS.get(form, ""), confidence, reference_found=found is not None
    ):
        return None
    result: dict[str, Any] = {slot: None}
    reference = found or reference_in_sentence(message)
    if reference is not None:
        # Its events only clear `reference` (or hand over when our systems are down, which
        # the form's own submit will find too): the form goes on either way.
        await check_status(dispatcher, tracker, reference, feedback=False)
        result["reference"] = None
        say(dispatcher, "form_back_to_it")
    elif get_content().has(f"faq_{name}"):
        say(dispatcher, f"faq_{name}")
        say(dispatcher, "form_back_to_it")
    else:
        say(dispatcher, "form_one_thing_at_a_time")
    return result
