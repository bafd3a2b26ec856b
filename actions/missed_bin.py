"""The missed bin report form: which bin, checked against the collection calendar."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.address_steps import MAX_ANSWER_LENGTH, AddressSlotValidation
from actions.database import ServiceDown, with_session
from actions.form_asides import answer_aside, interrupted, offer_help_when_stuck, validated
from actions.messaging import say
from actions.report_answers import ALL_STREAMS, bin_named_earlier, streams_named
from actions.reports import ReportFormValidation, bins_at, clean_text
from bot.clock import now, uk_date
from bot.council import get_council
from bot.services.bin_streams import stream_from_text
from bot.services.service_requests import check_missed_bin


def unclear_bin(text: str, available: dict[str, str], dispatcher: CollectingDispatcher) -> None:
    """Say why no one bin could be taken from `text`: two named, one the address lacks, or
    none recognised."""
    options = ", ".join(available.values())
    if len(streams_named(text, available)) > 1:
        say(dispatcher, "bin_stream_one_at_a_time", options=options)
        return
    missing = streams_named(text, ALL_STREAMS) - set(available)
    if len(missing) == 1:
        say(dispatcher, "missed_bin_no_such_bin", bin=missing.pop(), options=options)
        return
    say(dispatcher, "bin_stream_unknown", options=options)


class ValidateMissedBinForm(AddressSlotValidation, ReportFormValidation):
    form = "missed_bin_form"

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Then, once the address is known, use a bin named before we asked for it."""
        events = await super().get_validation_events(dispatcher, tracker, domain)
        slot = tracker.get_slot
        if interrupted(tracker):
            return events
        if (
            slot("address_uprn")
            and slot("bin_stream")
            and validated(events, "address_uprn")
            and slot("requested_slot") in ("postcode", "address_uprn")
        ):
            # A corrected address: the bin chosen before is checked again at the new one.
            result = await self.validate_bin_stream(slot("bin_stream"), dispatcher, tracker, domain)
            tracker.slots.update(result)
            return events + [SlotSet(name, value) for name, value in result.items()]
        if (
            slot("address_uprn")
            and slot("bin_stream") is None
            and slot("requested_slot") != "bin_stream"
            and not validated(events, "bin_stream")
            and not any(e.get("name") == "requested_slot" for e in events)
        ):
            try:
                named = bin_named_earlier(tracker, await bins_at(slot("address_uprn")))
            except ServiceDown:
                named = None  # the form asks which bin, and says then if it cannot look
            if named is not None:
                result = await self.validate_bin_stream(named, dispatcher, tracker, domain)
                tracker.slots.update(result)
                events += [SlotSet(name, value) for name, value in result.items()]
        return events

    async def change_before_sending(
        self, message: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any] | None:
        """'Actually it was the blue bin' at the summary: change the bin, show it again."""
        try:
            available = await bins_at(tracker.get_slot("address_uprn"))
        except ServiceDown:
            return None
        stream = stream_from_text(clean_text(message)[:MAX_ANSWER_LENGTH], available)
        if stream is None or stream == tracker.get_slot("bin_stream"):
            return None
        result = await self.validate_bin_stream(message, dispatcher, tracker, {})
        if result.get("bin_stream"):
            say(dispatcher, "report_changed")
            return {**result, "confirm_report": None}
        # That bin cannot be reported (the reply said why): the report as it was still stands.
        return {"confirm_report": None}

    async def validate_bin_stream(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        uprn = tracker.get_slot("address_uprn")
        try:
            available = await bins_at(uprn)
            stream = stream_from_text(clean_text(value)[:MAX_ANSWER_LENGTH], available)
            aside = answer_aside(dispatcher, tracker, "bin_stream", found_value=stream is not None)
            if aside is not None:
                return {"bin_stream": None, **aside}
            if stream is None:
                unclear_bin(clean_text(value)[:MAX_ANSWER_LENGTH], available, dispatcher)
                offer_help_when_stuck(dispatcher, tracker, "bin_stream")
                return {"bin_stream": None}
            check = await with_session(
                check_missed_bin, uprn, stream, now(), get_council().bank_holidays
            )
        except ServiceDown:
            say(dispatcher, "case_system_down")
            return {"bin_stream": None, "requested_slot": None}
        if check.allowed:
            return {"bin_stream": stream}
        container = available.get(stream, stream)
        date = check.collection_date
        values: dict[str, Any] = {
            "container": container,
            "date": uk_date(date) if date else "",
            "reference": check.existing_reference or "",
            "bin": stream,
            "options": ", ".join(available.values()),
        }
        if check.reason == "no_such_bin":
            say(dispatcher, "missed_bin_no_such_bin", **values)
            return {"bin_stream": None}
        message = {
            "before_collection": "missed_bin_before_collection",
            "too_late": "missed_bin_too_late",
            "duplicate": "missed_bin_duplicate",
        }[check.reason]
        say(dispatcher, message, **values)
        # The report cannot go ahead: end the form (nothing is stored).
        return {"bin_stream": None, "requested_slot": None}
