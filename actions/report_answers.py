"""What residents say to a report form besides a plain answer: "actually it was the blue
bin", or a bin they named before the form asked for it. (Yes and no at the summary:
actions/summary_replies.py.)"""

from __future__ import annotations

import re

from rasa_sdk import Tracker

from bot.services.bin_streams import STREAM_WORDS, stream_from_text

# Every stream any address can have, for telling "you don't have that bin" from "unclear".
ALL_STREAMS = {stream: stream for stream in STREAM_WORDS}

MAX_MESSAGES_BACK = 8
# Answers to "anything else we should know?" that add nothing to the summary.
NOTHING_MORE = {
    "no",
    "nope",
    "none",
    "nothing",
    "no thanks",
    "no thank you",
    "n/a",
    "na",
    "n",
    "nothing else",
    "no that's it",
    "that's it",
    "that's all",
    "no that's all",
}


_LIGHT_FAULT = re.compile(
    r"\b(?:out|off|flicker\w*|flashing|dark|dim|buzzing|on (?:all|during) (?:the )?day|"
    r"stays on|keeps going off|knocked down|leaning)\b",
    re.IGNORECASE,
)


def light_fault_in(text: str) -> bool:
    """'the light outside 5 Abbey Road is flickering': the first message says what's wrong."""
    return bool(_LIGHT_FAULT.search(str(text or "")[:200]))


# Things people dump, named well enough to send a crew: 'rubbish', 'stuff' or 'a load of
# junk' alone are not, so then the form still asks what it is and how much.
_DUMPED_THING = re.compile(
    r"\b(?:mattress(?:es)?|sofas?|settees?|couch(?:es)?|arm ?chairs?|chairs?|tables?|"
    r"wardrobes?|(?<!flower )beds?|furniture|carpets?|fridges?|freezers?|fridge[- ]freezers?|"
    r"washing machines?|cookers?|ovens?|white goods|microwaves?|tvs?|televisions?|"
    r"tyres?|tires?|(?:black |bin |rubbish |builders'? )?bags|bin ?bags?|sacks?|rubble|"
    r"bricks?|plasterboard|asbestos|builders'? (?:waste|rubbish)|garden waste|branches|"
    r"paint(?: tins| pots)?|(?:shopping )?trolleys?|prams?|toilets?|boxes|cardboard|"
    r"car parts|bikes?|bicycles?)\b",
    re.IGNORECASE,
)


def dumped_things_in(text: str) -> bool:
    """'someone dumped a mattress on Mill Lane': the first message says what was dumped."""
    return bool(_DUMPED_THING.search(str(text or "")[:200]))


# A report form's question about the problem that a first message can already answer.
FIRST_MESSAGE_DESCRIBES = {
    "street_light_form": light_fault_in,
    "fly_tipping_form": dumped_things_in,
}


def messages_since_form_start(tracker: Tracker, opening_intent: str) -> list[str]:
    """The resident's messages in this run of the form, newest first.

    Stops at the message that opened the form (`opening_intent`) and at a summary already
    shown: after "no, change it" what was said before is not reused.
    """
    texts: list[str] = []
    for event in reversed(tracker.events):
        kind = event.get("event")
        if (
            kind == "slot"
            and event.get("name") == "requested_slot"
            and (event.get("value") == "confirm_report")
        ):
            break
        if kind != "user":
            continue
        texts.append(str(event.get("text") or ""))
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent == opening_intent or len(texts) >= MAX_MESSAGES_BACK:
            break
    return texts


def bin_named_earlier(tracker: Tracker, available: dict[str, str]) -> str | None:
    """The one bin the resident named in this form's messages: 'my black bin wasn't
    collected' -> the text that names it, for the form's bin validation (which also says
    when the address does not have that bin)."""
    for text in messages_since_form_start(tracker, "report_missed_bin"):
        text = text[:200]
        if stream_from_text(text, available) or stream_from_text(text, ALL_STREAMS):
            return text
    return None


def streams_named(text: str, available: dict[str, str]) -> set[str]:
    """Each stream among `available` that `text` names: 'the black and the food one' -> 2."""
    return {
        stream
        for stream, container in available.items()
        if stream_from_text(text, {stream: container}) is not None
    }
