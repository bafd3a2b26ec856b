"""Checking a request's status: reference first, details only with the postcode."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.client_limits import FAILED_LOOKUP_CONVERSATIONS, client_of
from actions.database import ServiceDown, hand_over_when_down, with_cases, with_session
from actions.feedback import ask_feedback
from actions.form_asides import GiveWayToInterruptions, answer_aside, offer_help_when_stuck
from actions.messaging import say, text
from bot.clock import now, uk_date
from bot.content import get_content
from bot.references import normalise_reference
from bot.services.case_system import RequestNotFound, RequestStatus
from bot.services.case_system_factory import read_reference, uses_open311
from bot.services.council_area import outside_council_area
from bot.services.lookup_throttle import is_throttled, record_failed_lookup
from bot.settings import get_settings

THROTTLE_WINDOW = timedelta(hours=1)
_REFERENCE_IN_TEXT = re.compile(r"\b([A-Za-z]{2})\s*[-–—_/.]?\s*(\d{6})\b")


def reference_in_sentence(value: Any) -> str | None:
    """The one reference inside a longer answer: 'it's mb 204117 I think' -> 'MB-204117'."""
    found = {
        normalise_reference(f"{letters}-{digits}")
        for letters, digits in _REFERENCE_IN_TEXT.findall(str(value or "")[:200])
    }
    found.discard(None)
    return found.pop() if len(found) == 1 else None


# A reference "on its own" may come with a few words: "it's PH-000002", "try ph 000002".
WORDS_WITH_A_REFERENCE = 3


def reference_alone(tracker: Tracker) -> bool:
    """True when the latest message is a reference with at most a few words around it."""
    if not any(e.get("entity") == "reference" for e in tracker.latest_message.get("entities", [])):
        return False
    rest = _REFERENCE_IN_TEXT.sub(" ", str(tracker.latest_message.get("text") or "")[:200])
    return len(rest.split()) <= WORDS_WITH_A_REFERENCE


def reference_typed(value: Any) -> str | None:
    """The one reference in an answer, in the case system's own form: 'it's mb 204117 I
    think' -> 'MB-204117'; on Open311, the one word with a digit that can be its id."""
    typed = str(value or "")[:200]
    whole = read_reference(typed[:80])
    if whole is not None:
        return whole
    if not uses_open311():
        return reference_in_sentence(typed)
    return _one_open311_id(typed, min_digits=1)


def open311_reference_unprompted(text: Any) -> str | None:
    """The one Open311 id in a message that did not answer our question ('any update on
    638344?'), or None. Stricter than an answer: a word of 5 or more digits (a year, a
    house number or 'in 2 weeks' is not taken for an id); shorter ids are asked for."""
    return _one_open311_id(str(text or "")[:200], min_digits=5)


def _one_open311_id(text: str, min_digits: int) -> str | None:
    """The one word of `text` with at least `min_digits` digits that can be an Open311 id."""
    found = {
        read_reference(word.strip(".,;:!?\"'()#"))
        for word in text.split()
        if sum(ch.isdigit() for ch in word) >= min_digits
    }
    found.discard(None)
    return found.pop() if len(found) == 1 else None


def reference_message(key: str) -> str:
    """The content key for talking about references: Open311's are the server's own, so
    their wording cannot describe our 'MB-204117' shape."""
    return f"{key}_open311" if uses_open311() else key


class ValidateRequestStatusForm(GiveWayToInterruptions, FormValidationAction):
    def name(self) -> str:
        return "validate_request_status_form"

    async def extract_reference(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """On Open311, an id in the message that starts the form ('any update on 638344?')
        answers the question before it is asked (our own 'MB-204117' shape is an entity)."""
        if (
            not uses_open311()
            or tracker.get_slot("requested_slot") is not None
            or tracker.get_slot("reference")
        ):
            return {}
        reference = open311_reference_unprompted(tracker.latest_message.get("text"))
        return {"reference": reference} if reference is not None else {}

    async def validate_reference(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        reference = reference_typed(value)
        aside = answer_aside(dispatcher, tracker, "reference", found_value=reference is not None)
        if aside is not None:
            return {"reference": None, **aside}
        if reference is None:
            say(dispatcher, reference_message("reference_invalid"))
            offer_help_when_stuck(dispatcher, tracker, "reference")
            return {"reference": None}
        return {"reference": reference}


def status_words(status: str) -> str:
    key = f"status_{status}"
    return text(key) if get_content().has(key) else status.replace("_", " ")


_CONTRACTIONS = {"we've": "we have", "we're": "we are", "it's": "it is", "hasn't": "has not"}


def _plain(words: str) -> str:
    lowered = words.lower().replace("\u2019", "'")
    for short, full in _CONTRACTIONS.items():
        lowered = lowered.replace(short, full)
    return " ".join("".join(c if c.isalnum() else " " for c in lowered).split())


def says_more(note: str, status: str) -> bool:
    """Whether a case's note adds to the status words ("We have received your report."
    after "we've received your report" would only repeat it)."""
    return bool(note.strip()) and _plain(note) != _plain(status)


def postcode_in_latest_message(tracker: Tracker) -> str | None:
    """A postcode the resident gave with this request (the second factor)."""
    for entity in tracker.latest_message.get("entities", []):
        if entity.get("entity") == "postcode":
            return str(entity.get("value"))
    return tracker.get_slot("postcode")


async def check_status(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    reference: str | None,
    feedback: bool = True,
) -> list[EventType]:
    """Look up `reference` (throttled per conversation) and say what was found; the events
    to return, clearing the `reference` slot. Run by the status form's last step, by a
    reference sent on its own ("PH-000002" after "I can't find a report with ...") and in
    the middle of a report (then with `feedback` False: no "Did that answer your question?"
    while the form waits for its answer)."""
    done: list[EventType] = [SlotSet("reference", None)]
    if not reference:
        return done
    settings = get_settings()
    conversation, client = tracker.sender_id, client_of(tracker)
    client_limit = settings.status_lookup_attempts * FAILED_LOOKUP_CONVERSATIONS
    try:
        if await with_session(
            is_throttled, conversation, now(), settings.status_lookup_attempts, THROTTLE_WINDOW
        ) or (
            client is not None
            and await with_session(is_throttled, client, now(), client_limit, THROTTLE_WINDOW)
        ):
            say(dispatcher, "status_throttled")
            return done
        try:
            found: RequestStatus = await with_cases(lambda c: c.status(reference, None))
        except RequestNotFound:
            await with_session(record_failed_lookup, conversation, now())
            if client is not None:
                await with_session(record_failed_lookup, client, now())
            say(dispatcher, "status_not_found", reference=reference)
            return done
        postcode = postcode_in_latest_message(tracker)
        detailed: RequestStatus | None = None
        outside = bool(postcode) and await with_session(outside_council_area, postcode)
        if postcode and not outside:
            try:
                detailed = await with_cases(lambda c: c.status(reference, postcode))
            except RequestNotFound:
                detailed = None
    except ServiceDown:
        return [*done, *hand_over_when_down(dispatcher)]
    status = status_words(found.status)
    notes = [found.note] if says_more(found.note, status) else []
    if detailed is not None and detailed.location:
        notes.append(text("status_location", location=detailed.location))
    if outside:
        notes.append(text("status_postcode_outside_area", postcode=postcode))
    say(
        dispatcher,
        "status_answer",
        reference=found.reference,
        status=status,
        date=uk_date(found.updated_at.date()),
        note="\n".join(notes),
    )
    if not feedback:
        return done
    return [*done, *ask_feedback(dispatcher, tracker, "check_request_status")]


class ActionCheckStatus(Action):
    def name(self) -> str:
        return "action_check_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return await check_status(dispatcher, tracker, tracker.get_slot("reference"))
