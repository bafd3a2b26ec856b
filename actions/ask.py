"""The questions forms ask, from content (one action per slot, as Rasa expects)."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.address_steps import ask_address
from actions.database import ServiceDown, with_session
from actions.messaging import say
from actions.report_answers import NOTHING_MORE
from actions.reports import bins_at
from actions.status import reference_message
from bot.services.addresses import find_address


class AskPostcode(Action):
    def name(self) -> str:
        return "action_ask_postcode"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        say(dispatcher, "ask_postcode")
        return []


class AskAddress(Action):
    def name(self) -> str:
        return "action_ask_address_uprn"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        try:
            await ask_address(dispatcher, tracker)
        except ServiceDown:
            say(dispatcher, "case_system_down")
        return []


class AskBinStream(Action):
    def name(self) -> str:
        return "action_ask_bin_stream"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        try:
            available = await bins_at(tracker.get_slot("address_uprn"))
        except ServiceDown:
            say(dispatcher, "case_system_down")
            return []
        buttons = [{"title": c.capitalize(), "payload": c} for c in available.values()]
        say(dispatcher, "ask_bin_stream", buttons=buttons)
        return []


class AskProblemLocation(Action):
    def name(self) -> str:
        return "action_ask_problem_location"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        say(dispatcher, "ask_problem_location")
        return []


class AskPotholeSize(Action):
    def name(self) -> str:
        return "action_ask_pothole_size"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        say(dispatcher, "ask_pothole_size")
        return []


class AskProblemDescription(Action):
    def name(self) -> str:
        return "action_ask_problem_description"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        form = (tracker.active_loop or {}).get("name", "")
        category = form.removesuffix("_form")
        say(dispatcher, f"ask_description_{category}")
        return []


class AskReference(Action):
    def name(self) -> str:
        return "action_ask_reference"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        say(dispatcher, reference_message("ask_reference"))
        return []


class AskConfirmReport(Action):
    """Summarise the report before it is sent."""

    def name(self) -> str:
        return "action_ask_confirm_report"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        slot = tracker.get_slot
        form = (tracker.active_loop or {}).get("name", "")
        lines: list[str] = []
        if form == "missed_bin_form":
            try:
                address = await with_session(find_address, slot("address_uprn"))
                containers = await bins_at(slot("address_uprn"))
            except ServiceDown:
                say(dispatcher, "case_system_down")
                return []
            container = str(containers.get(slot("bin_stream"), slot("bin_stream")))
            lines.append(f"Missed bin: {container.capitalize()}")
            lines.append(f"Address: {address.label if address else ''}, {slot('postcode')}")
        else:
            lines.append(f"Where: {slot('problem_location')}")
            if form == "pothole_form":
                lines.append(f"Size and danger: {slot('pothole_size')}")
            if str(slot("problem_description") or "").strip(" .!").lower() not in NOTHING_MORE:
                lines.append(f"Details: {slot('problem_description')}")
        say(dispatcher, "ask_confirm_report", summary="\n".join(lines))
        return []
