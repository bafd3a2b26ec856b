"""Replies to a report's summary, "Shall I send it?": only a plain yes sends it.

The words decide (bot/nlp/yes_no.py); the classifier's intent can only take a yes away.
A correction that names a part of the summary ("the address is wrong", "wrong bin", "the
size is wrong") goes back to that question only, keeping the other answers.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from actions.form_asides import is_question
from bot.nlp.corrections import BIN, DETAILS, HOUSE, POSTCODE, SIZE, STREET, parts_named
from bot.nlp.yes_no import Answer, read_answer

_ADDRESS = ("postcode", "address_uprn", "house_number")
_PLACE = ("problem_location",)
_PLACE_PARTS: dict[str, tuple[str, ...]] = {
    POSTCODE: _PLACE,
    STREET: _PLACE,
    HOUSE: _PLACE,
    DETAILS: ("problem_description",),
}
# The slots each part of a summary comes from, per form.
PART_SLOTS: dict[str, dict[str, tuple[str, ...]]] = {
    "missed_bin_form": {
        POSTCODE: _ADDRESS,
        STREET: _ADDRESS,
        HOUSE: ("address_uprn", "house_number"),
        BIN: ("bin_stream",),
    },
    "pothole_form": {**_PLACE_PARTS, SIZE: ("pothole_size",)},
    "street_light_form": _PLACE_PARTS,
    "fly_tipping_form": _PLACE_PARTS,
}


def summary_answer(tracker: Tracker) -> Answer:
    """'yes', 'no' or 'unclear' for the latest message, read as an answer to the summary."""
    message = str(tracker.latest_message.get("text") or "")
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    return read_answer(message, intent)


def parts_corrected(message: str, answer: Answer) -> frozenset[str]:
    """The summary parts a reply that is not a yes names ("the address is wrong", "wrong
    bin"); none for a yes or a question ("where will it go?")."""
    if answer == "yes" or (answer == "unclear" and is_question(message)):
        return frozenset()
    return parts_named(message)


def slots_to_ask_again(
    form: str, parts: frozenset[str], required: list[str], kept: dict[str, Any]
) -> dict[str, Any] | None:
    """The slots to empty for the corrected `parts`, and the first of them to ask again;
    None when none of `parts` is on this form's summary. `kept`: slots this message has
    just filled ("the postcode is wrong, it's OB2 5JQ"), which stay."""
    by_part = PART_SLOTS.get(form, {})
    slots = {slot for part in parts for slot in by_part.get(part, ())}
    if not slots:
        return None
    slots -= {slot for slot, value in kept.items() if value is not None}
    result: dict[str, Any] = {**{slot: None for slot in slots}, "confirm_report": None}
    first = next((slot for slot in required if slot in slots), None)
    if first is not None:
        result["requested_slot"] = first
    return result
