"""The postcode and address steps shared by the bin-day and missed-bin forms."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.database import ServiceDown, with_session
from actions.form_asides import answer_aside, offer_help_when_stuck
from actions.messaging import say
from bot.postcodes import normalise_postcode
from bot.services.addresses import (
    AddressRecord,
    StreetLookup,
    address_on_street,
    addresses_for_postcode,
    match_address,
    mentions_a_street,
)
from bot.services.council_area import outside_council_area

MAX_ADDRESS_BUTTONS = 6
MAX_ANSWER_LENGTH = 200
_WORD = re.compile(r"[A-Za-z0-9]+")
_POSTCODE_LIKE = re.compile(r"\b[A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d[A-Za-z]{2}\b")


def find_postcode(text: str) -> str | None:
    """The one postcode in a sentence: 'postcode is ob25jq i think' -> 'OB2 5JQ'.

    Tries the whole text, then each word and each pair of neighbouring words.
    """
    text = str(text or "")[:MAX_ANSWER_LENGTH]
    whole = normalise_postcode(text)
    if whole is not None:
        return whole
    words = _WORD.findall(text)
    found = {normalise_postcode(w) for w in words}
    found |= {normalise_postcode(f"{a} {b}") for a, b in zip(words, words[1:], strict=False)}
    found.discard(None)
    return found.pop() if len(found) == 1 else None


async def validate_postcode_step(
    value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
) -> dict[str, Any]:
    """Check the postcode; fill the address too when it is the only one or was given.
    Without a postcode, a house and street of the council's ('14 Elm Rd') will do."""
    typed = str(value or "")[:MAX_ANSWER_LENGTH]
    postcode = find_postcode(typed)
    street = (
        await with_session(address_on_street, typed)
        if postcode is None and mentions_a_street(typed)
        else None
    )
    aside = answer_aside(
        dispatcher, tracker, "postcode", found_value=postcode is not None or street is not None
    )
    if aside is not None:
        return {"postcode": None, **aside}
    if street is not None:
        return _from_street(street, dispatcher)
    if postcode is None:
        say(dispatcher, "postcode_invalid")
        offer_help_when_stuck(dispatcher, tracker, "postcode")
        return {"postcode": None}
    addresses = await with_session(addresses_for_postcode, postcode)
    if not addresses:
        outside = await with_session(outside_council_area, postcode)
        say(
            dispatcher,
            "postcode_outside_area" if outside else "postcode_unknown",
            postcode=postcode,
        )
        return {"postcode": None}
    slots: dict[str, Any] = {"postcode": postcode}
    if len(addresses) == 1:
        slots["address_uprn"] = addresses[0].uprn
    elif tracker.get_slot("house_number"):
        chosen = match_address(addresses, str(tracker.get_slot("house_number")))
        if chosen is not None:
            slots["address_uprn"] = chosen.uprn
    else:
        # 'OB2 5JQ 7', 'bin day for Rose Cottage OB4 3TY': the house came with the postcode.
        rest = _POSTCODE_LIKE.sub(" ", str(tracker.latest_message.get("text") or ""))
        rest = " ".join(rest.replace(",", " ").split())[:MAX_ANSWER_LENGTH]
        chosen = (match_address(addresses, rest) if rest else None) or (
            address_in_sentence(addresses, rest, tracker)
        )
        if chosen is not None:
            slots["address_uprn"] = chosen.uprn
    return slots


def street_slots(street: StreetLookup) -> dict[str, Any] | None:
    """The slots a street named without a postcode fills: the address when the house was
    named too, else the postcode when the street has only one (the form then asks which
    house). None when the street has several postcodes and no house was named."""
    if street.address is not None:
        return {"postcode": street.address.postcode, "address_uprn": street.address.uprn}
    if len(street.postcodes) == 1:
        return {"postcode": street.postcodes[0]}
    return None


def _from_street(street: StreetLookup, dispatcher: CollectingDispatcher) -> dict[str, Any]:
    slots = street_slots(street)
    if slots is None:
        say(dispatcher, "street_has_several_postcodes", street=street.street)
        return {"postcode": None}
    return slots


async def validate_address_step(
    value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
) -> dict[str, Any]:
    """Match what the resident typed or tapped to one address at the postcode."""
    postcode = tracker.get_slot("postcode")
    addresses = await with_session(addresses_for_postcode, postcode)
    typed = str(value or "").strip()[:MAX_ANSWER_LENGTH]
    chosen = (
        next((a for a in addresses if typed == a.uprn), None)
        or match_address(addresses, typed)
        or address_in_sentence(addresses, typed, tracker)
    )
    aside = answer_aside(dispatcher, tracker, "address_uprn", found_value=chosen is not None)
    if aside is not None:
        return {"address_uprn": None, **aside}
    if chosen is None and find_postcode(typed) is not None:
        return {"address_uprn": None}  # a new postcode: the form asks again for its house
    if chosen is None:
        near = nearest_number(addresses, typed)
        if near is not None:
            say(
                dispatcher,
                "address_did_you_mean",
                typed=typed,
                postcode=postcode,
                address=near.label,
                buttons=[{"title": near.label, "payload": near.label}],
            )
        else:
            say(dispatcher, "address_not_matched", postcode=postcode)
        offer_help_when_stuck(dispatcher, tracker, "address_uprn")
        return {"address_uprn": None}
    return {"address_uprn": chosen.uprn}


def nearest_number(addresses: list[AddressRecord], typed: str) -> AddressRecord | None:
    """'12a' or '12b' when only 12 is there: the one address with that number, else None."""
    found = re.fullmatch(r"\s*(\d{1,4})\s*[a-z]\s*", typed, re.IGNORECASE)
    if found is None:
        return None
    same = [a for a in addresses if a.house == found.group(1)]
    return same[0] if len(same) == 1 else None


def address_in_sentence(
    addresses: list[AddressRecord], typed: str, tracker: Tracker
) -> AddressRecord | None:
    """The address named inside a longer answer: 'it's number 7, the one with the red door',
    'we're at Rose Cottage by the pond'. A house number found in the message, else the one
    house name the text contains."""
    for entity in tracker.latest_message.get("entities", []):
        if entity.get("entity") == "house_number":
            chosen = match_address(addresses, str(entity.get("value") or ""))
            if chosen is not None:
                return chosen
    said = f" {' '.join(_WORD.findall(typed.lower()))} "
    named = {
        a.uprn: a
        for a in addresses
        if not a.house[:1].isdigit() and f" {' '.join(_WORD.findall(a.house.lower()))} " in said
    }
    return next(iter(named.values())) if len(named) == 1 else None


async def ask_address(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Offer a short list as buttons; for a long one, ask for the number or name."""
    postcode = tracker.get_slot("postcode")
    addresses: list[AddressRecord] = await with_session(addresses_for_postcode, postcode)
    if len(addresses) <= MAX_ADDRESS_BUTTONS:
        buttons = [{"title": a.label, "payload": a.label} for a in addresses]
        say(dispatcher, "ask_address_choice", buttons=buttons)
    else:
        say(dispatcher, "ask_address_typed", count=len(addresses), postcode=postcode)


class AddressSlotValidation:
    """`validate_postcode` and `validate_address_uprn` for any form that asks for an address.

    Mix into a FormValidationAction; if the address data cannot be read, the resident is told
    plainly and the form ends.
    """

    async def extract_postcode(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """'Bin day for 14 Elm Road': a house and street in the message that starts the form
        answer the postcode question before it is asked (a postcode there is an entity)."""
        if tracker.get_slot("requested_slot") is not None or tracker.get_slot("postcode"):
            return {}
        text = str(tracker.latest_message.get("text") or "")[:MAX_ANSWER_LENGTH]
        if find_postcode(text) is not None or not mentions_a_street(text):
            return {}
        try:
            street = await with_session(address_on_street, text)
        except ServiceDown:
            return {}  # the form asks for the postcode, and says then if it cannot look
        return (street_slots(street) or {}) if street is not None else {}

    async def validate_postcode(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        try:
            return await validate_postcode_step(value, dispatcher, tracker)
        except ServiceDown:
            say(dispatcher, "case_system_down")
            return {"postcode": None, "requested_slot": None}

    async def validate_address_uprn(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        try:
            return await validate_address_step(value, dispatcher, tracker)
        except ServiceDown:
            say(dispatcher, "case_system_down")
            return {"address_uprn": None, "requested_slot": None}
