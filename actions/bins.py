"""Bin collection day: the form's validation and the answer."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.address_steps import AddressSlotValidation
from actions.database import ServiceDown, hand_over_when_down, with_session
from actions.feedback import ask_feedback
from actions.form_asides import GiveWayToInterruptions
from actions.messaging import say, text
from bot.clock import now, today, uk_date
from bot.services.addresses import find_address
from bot.services.alerts import active_alerts_for
from bot.services.collections import next_collections

ADDRESS_SLOTS = ("postcode", "address_uprn", "house_number")


class ValidateBinDayForm(GiveWayToInterruptions, AddressSlotValidation, FormValidationAction):
    def name(self) -> str:
        return "validate_bin_day_form"


def collections_text(collections: list[Any]) -> str:
    """One line per bin, in date order: 'Black wheelie bin: Thursday 4 December'."""
    lines = []
    for item in sorted(collections, key=lambda c: (c.date, c.container)):
        if item.moved_from:
            lines.append(
                text(
                    "bin_day_line_moved",
                    container=item.container.capitalize(),
                    date=uk_date(item.date),
                    usual_date=uk_date(item.moved_from),
                )
            )
        elif item.after_break:  # the reason comes from content: bin_day_break_<stream>
            lines.append(
                text(
                    "bin_day_line_after_break",
                    container=item.container.capitalize(),
                    date=uk_date(item.date),
                    reason=text(f"bin_day_break_{item.stream}"),
                )
            )
        else:
            lines.append(
                text("bin_day_line", container=item.container.capitalize(), date=uk_date(item.date))
            )
    return "\n".join(lines)


class ActionTellBinDay(Action):
    """Next collection date of each bin for the chosen address."""

    def name(self) -> str:
        return "action_tell_bin_day"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        uprn = tracker.get_slot("address_uprn")
        reset = [SlotSet(slot, None) for slot in ADDRESS_SLOTS]
        if not uprn:
            return reset
        try:
            address = await with_session(find_address, uprn)
            collections = await with_session(next_collections, uprn, today())
            alerts = await with_session(active_alerts_for, uprn, "bins", now())
        except ServiceDown:
            return [*reset, *hand_over_when_down(dispatcher)]
        for alert in alerts:  # a live service alert comes first: it may change the answer
            say(dispatcher, "service_alert_notice", message=alert.message)
        label = address.label if address else str(uprn)
        if not collections:
            say(dispatcher, "bin_day_none", address=label)
        else:
            say(
                dispatcher,
                "bin_day_answer",
                address=label,
                collections=collections_text(collections),
            )
            return [*reset, *ask_feedback(dispatcher, tracker, "bin_collection_day")]
        return reset
