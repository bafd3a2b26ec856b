"""Reporting a problem: missed bin, pothole, street light and fly-tipping forms."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.address_steps import MAX_ANSWER_LENGTH, find_postcode
from actions.database import ServiceDown, hand_over_when_down, with_cases, with_session
from actions.form_asides import (
    FORM_INTENTS,
    GiveWayToInterruptions,
    answer_aside,
    interrupted,
    validated,
)
from actions.messaging import say, text
from actions.report_answers import (
    FIRST_MESSAGE_DESCRIBES,
    NOTHING_MORE,
    messages_since_form_start,
)
from actions.report_places import place_in, with_street
from actions.summary_replies import parts_corrected, slots_to_ask_again, summary_answer
from actions.topic_change import answer_another_request
from bot.nlp.corrections import POSTCODE
from bot.nlp.yes_no import Answer, read_yes_no
from bot.services.addresses import find_address
from bot.services.case_system import NewRequest
from bot.services.collections import bins_for_address
from bot.services.council_area import outside_council_area

FORM_CATEGORIES = {
    "missed_bin_form": "missed_bin",
    "pothole_form": "pothole",
    "street_light_form": "street_light",
    "fly_tipping_form": "fly_tipping",
}
REPORT_SLOTS = (
    "postcode",
    "address_uprn",
    "house_number",
    "bin_stream",
    "problem_location",
    "pothole_size",
    "problem_description",
    "confirm_report",
)
# Rasa's input channel names -> the channel recorded on a request.
CHANNELS = {"webchat": "web", "sms": "sms"}
MIN_LOCATION_LENGTH = 5
YES_WORDS = ("yes", "yeah", "yes please", "yes there is")
LOCATION_FORMS = ("pothole_form", "street_light_form", "fly_tipping_form")
MIN_DESCRIPTION_LENGTH = 2


def clean_text(value: Any) -> str:
    """Trim and collapse white space; drop control characters."""
    text = "".join(ch for ch in str(value or "") if ch.isprintable() or ch == " ")
    return " ".join(text.split())


async def bins_at(uprn: str) -> dict[str, str]:
    """The streams an address has, as stream -> container name."""
    return await with_session(bins_for_address, uprn)


async def outside_area(postcode: str) -> bool:
    """Whether a place's postcode is another council's; unknown (False) when the address
    data cannot be read, as the report can still be taken."""
    try:
        return bool(await with_session(outside_council_area, postcode))
    except ServiceDown:
        return False


def restart_form() -> dict[str, Any]:
    return {slot: None for slot in REPORT_SLOTS if slot not in ("postcode", "house_number")}


class ReportFormValidation(GiveWayToInterruptions, FormValidationAction):
    """Validation shared by the four report forms."""

    form = ""

    def name(self) -> str:
        return f"validate_{self.form}"

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """The slots' own validation, then the reply to the summary, read from its words."""
        events = await super().get_validation_events(dispatcher, tracker, domain)
        if interrupted(tracker):
            return events
        requested = tracker.get_slot("requested_slot")
        if requested is None and self.form in LOCATION_FORMS:
            events += await self.details_in_first_message(dispatcher, tracker, domain, events)
        if requested == "confirm_report":
            # Whatever the classifier filled in for confirm_report, the words decide.
            events = [e for e in events if e.get("name") != "confirm_report"]
            result = await self.reply_to_summary(dispatcher, tracker, domain, events)
            tracker.slots.update(result)
            events += [SlotSet(slot, value) for slot, value in result.items()]
        return events

    async def details_in_first_message(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        events: list[EventType],
    ) -> list[EventType]:
        """'There's a pothole outside 14 High Street', 'the light outside 5 Abbey Road is
        flickering', 'someone dumped a sofa on Mill Lane': what the first message already
        says is not asked again."""
        message = str(tracker.latest_message.get("text") or "")
        result: dict[str, Any] = {}
        place = place_in(message)
        if (
            place is not None
            and place.exact
            and tracker.get_slot("problem_location") is None
            and not validated(events, "problem_location")
        ):
            result |= await self.validate_problem_location(
                place.phrase, dispatcher, tracker, domain
            )
        describes = FIRST_MESSAGE_DESCRIBES.get(self.form)
        if (
            describes is not None
            and describes(message)
            and tracker.get_slot("problem_description") is None
        ):
            result |= await self.validate_problem_description(message, dispatcher, tracker, domain)
        tracker.slots.update(result)
        return [SlotSet(slot, value) for slot, value in result.items()]

    async def reply_to_summary(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        events: list[EventType],
    ) -> dict[str, Any]:
        """Send only on a plain yes. A correction goes back to the part it names; a plain
        no goes through the questions again; anything else asks again. Nothing is sent
        but on a yes."""
        message = str(tracker.latest_message.get("text") or "")
        answer = summary_answer(tracker)
        if answer != "yes":
            # "No, it was the blue bin": change the report rather than start again.
            changed = await self.change_before_sending(message, dispatcher, tracker)
            if changed is not None:
                return changed
            corrected = await self.go_back_to_parts(message, answer, dispatcher, domain, events)
            if corrected is not None:
                return corrected
        if answer == "yes":
            return {"confirm_report": True}
        # A question, "why?", or "no thanks, bye" (which stops the form): answered as such.
        if (aside := answer_aside(dispatcher, tracker, "confirm_report")) is not None:
            return {"confirm_report": None, **aside}
        if answer == "no":
            say(dispatcher, "report_start_again")
            return restart_form()
        say(dispatcher, "confirm_report_unclear")
        return {"confirm_report": None}

    async def go_back_to_parts(
        self,
        message: str,
        answer: Answer,
        dispatcher: CollectingDispatcher,
        domain: DomainDict,
        events: list[EventType],
    ) -> dict[str, Any] | None:
        """'The address is wrong', 'wrong bin', 'the size is wrong': empty those answers and
        ask for them again, keeping the rest. None when no part of the summary is named."""
        kept = {e["name"]: e.get("value") for e in events if e.get("event") == "slot"}
        parts = parts_corrected(message, answer)
        if kept.get("postcode"):
            parts |= {POSTCODE}  # a new postcode at the summary: its address is asked again
        required = list((domain.get("forms", {}).get(self.form) or {}).get("required_slots") or [])
        result = slots_to_ask_again(self.form, parts, required, kept)
        if result is not None:
            say(dispatcher, "report_change_part")
        return result

    async def change_before_sending(
        self, message: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any] | None:
        """Slots to change when the resident corrects the summary; None if not a correction."""
        return None

    async def validate_problem_location(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        other = await answer_another_request(dispatcher, tracker, "problem_location", self.form)
        if other is not None:
            return other
        aside = answer_aside(dispatcher, tracker, "problem_location")
        if aside is not None:
            return {"problem_location": None, **aside}
        location = clean_text(value)
        if len(location) > MAX_ANSWER_LENGTH:
            say(dispatcher, "text_too_long", limit=MAX_ANSWER_LENGTH)
            return {"problem_location": None}
        if len(location) < MIN_LOCATION_LENGTH or not any(ch.isalpha() for ch in location):
            say(dispatcher, "location_unclear")
            return {"problem_location": None}
        postcode = find_postcode(str(tracker.latest_message.get("text") or ""))
        if postcode is not None and await outside_area(postcode):
            # Another council's street: we can't send anyone; say who can.
            say(dispatcher, "location_outside_area", postcode=postcode)
            return {"problem_location": None, "postcode": None}  # kept for no later form
        earlier = messages_since_form_start(tracker, FORM_INTENTS.get(self.form, ""))[1:]
        return {"problem_location": with_street(location, earlier)[:MAX_ANSWER_LENGTH]}

    async def validate_problem_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        other = await answer_another_request(dispatcher, tracker, "problem_description", self.form)
        if other is not None:
            return other
        aside = answer_aside(dispatcher, tracker, "problem_description")
        if aside is not None:
            return {"problem_description": None, **aside}
        description = clean_text(value)
        if read_yes_no(description) == "yes" or description.lower().strip(" .!") in YES_WORDS:
            # "Anything else we should know?" "Yes": then we want to hear it.
            say(dispatcher, "description_go_ahead")
            return {"problem_description": None}
        if self.form != "pothole_form" and description.lower().strip(" .!") in NOTHING_MORE:
            # Only the pothole question can be answered "no": the others ask what is wrong.
            say(dispatcher, "description_unclear")
            return {"problem_description": None}
        if len(description) > 500:
            say(dispatcher, "text_too_long", limit=500)
            return {"problem_description": None}
        if len(description) < MIN_DESCRIPTION_LENGTH or not any(ch.isalpha() for ch in description):
            say(dispatcher, "description_unclear")
            return {"problem_description": None}
        return {"problem_description": description}

    async def validate_pothole_size(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        other = await answer_another_request(dispatcher, tracker, "pothole_size", self.form)
        if other is not None:
            return other
        aside = answer_aside(dispatcher, tracker, "pothole_size")
        if aside is not None:
            return {"pothole_size": None, **aside}
        size = clean_text(value)
        if len(size) > MAX_ANSWER_LENGTH:
            say(dispatcher, "text_too_long", limit=MAX_ANSWER_LENGTH)
            return {"pothole_size": None}
        if len(size) < MIN_DESCRIPTION_LENGTH or not any(ch.isalnum() for ch in size):
            say(dispatcher, "description_unclear")
            return {"pothole_size": None}
        return {"pothole_size": size}

    async def validate_confirm_report(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """At the summary the reply is read in get_validation_events; a value set any other
        way stands only as a yes."""
        if tracker.get_slot("requested_slot") == "confirm_report":
            return {"confirm_report": value}
        return {"confirm_report": True if value is True else None}


class ValidatePotholeForm(ReportFormValidation):
    form = "pothole_form"


class ValidateStreetLightForm(ReportFormValidation):
    form = "street_light_form"


class ValidateFlyTippingForm(ReportFormValidation):
    form = "fly_tipping_form"


async def lodge(tracker: Tracker, form: str) -> NewRequest:
    """The report the resident confirmed, built from the form's slots."""
    category = FORM_CATEGORIES[form]
    slot = tracker.get_slot
    channel = CHANNELS.get(str(tracker.get_latest_input_channel() or ""), "web")
    if category == "missed_bin":
        address = await with_session(find_address, slot("address_uprn"))
        return NewRequest(
            category=category,
            description=f"Missed {slot('bin_stream')} collection",
            location=address.label if address else "",
            postcode=slot("postcode"),
            uprn=slot("address_uprn"),
            bin_stream=slot("bin_stream"),
            channel=channel,
        )
    description = slot("problem_description") or ""
    if category == "pothole":
        description = f"Size and danger: {slot('pothole_size')}. {description}".strip()
    return NewRequest(
        category=category,
        description=description,
        location=slot("problem_location") or "",
        channel=channel,
    )


class ActionSubmitReport(Action):
    """Lodge the confirmed report and give its reference."""

    def name(self) -> str:
        return "action_submit_report"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reset: list[EventType] = [SlotSet(s, None) for s in REPORT_SLOTS]
        form = next(
            (
                e.get("name")
                for e in reversed(tracker.events)
                if e.get("event") == "active_loop" and e.get("name") in FORM_CATEGORIES
            ),
            None,
        )
        if form is None or tracker.get_slot("confirm_report") is not True:
            return reset  # the form ended early and has already said why
        try:
            request = await lodge(tracker, form)
            created = await with_cases(lambda cases: cases.create(request))
        except ServiceDown:
            # Not lodged: a person can take the report (the handoff says if they are in).
            return [*reset, *hand_over_when_down(dispatcher)]
        category = FORM_CATEGORIES[form]
        say(
            dispatcher,
            "report_created",
            reference=created.reference,
            next_steps=text(f"next_steps_{category}"),
        )
        # No "Did that answer your question?": a lodged report is not an answer yet.
        return reset


class ActionCancelForm(Action):
    """Stop the form under way; nothing is stored. (But a plain yes to the summary that the
    classifier took for `cancel` sends the report.)"""

    def name(self) -> str:
        return "action_cancel_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        form = (tracker.active_loop or {}).get("name")
        if (
            intent == "cancel"
            and form in FORM_CATEGORIES
            and tracker.get_slot("requested_slot") == "confirm_report"
            and summary_answer(tracker) == "yes"
        ):
            # "Send it" read as cancel (0.72): the words say yes, so the form finishes.
            return [SlotSet("confirm_report", True), FollowupAction(form)]
        if intent == "cancel":
            say(dispatcher, "report_cancelled")
        slots = REPORT_SLOTS + ("reference",)
        return [ActiveLoop(None), SlotSet("requested_slot", None)] + [
            SlotSet(s, None) for s in slots
        ]
