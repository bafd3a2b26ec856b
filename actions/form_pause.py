"""A form interrupted by an urgent need is paused, not lost.

`action_pause_form` (data/rules/urgent.yml) stops the form under way before the urgent
help, keeping the answers given so far in the `paused_form` slot. When the resident later
asks for the same thing again ("report a pothole"), the form starts where it stopped:
`restore_paused` gives back those answers as the form starts. "Cancel" leaves it.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.messaging import say
from bot.content import get_content

SLOT = "paused_form"
# Answers that are asked again rather than kept: a yes given before the pause is no yes.
NOT_KEPT = frozenset({"confirm_report", "notify_code", "requested_slot"})


def paused(tracker: Tracker) -> dict[str, Any] | None:
    """The paused form's name and answers ({"form": ..., "slots": {...}}), or None."""
    value = tracker.get_slot(SLOT)
    if isinstance(value, dict) and isinstance(value.get("form"), str):
        return value
    return None


def say_how_to_carry_on(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """After the urgent help: how to carry on with the paused form later, if there is one."""
    form = (paused(tracker) or {}).get("form")
    if form and get_content().has(f"form_paused_{form}"):
        say(dispatcher, f"form_paused_{form}")


def restore_paused(tracker: Tracker, form: str) -> list[EventType]:
    """The answers to give back when `form` starts again after a pause (else nothing)."""
    stash = paused(tracker)
    if stash is None or stash["form"] != form or tracker.get_slot("requested_slot"):
        return []
    slots = stash.get("slots") or {}
    return [*(SlotSet(name, value) for name, value in slots.items()), SlotSet(SLOT, None)]


def forget_paused(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """'Cancel' with a paused form: it is dropped, and the resident told so."""
    if paused(tracker) is None:
        return []
    say(dispatcher, "form_paused_dropped")
    return [SlotSet(SLOT, None)]


class ActionPauseForm(Action):
    """Stops the active form, keeping its answers in `paused_form` (says nothing)."""

    def name(self) -> str:
        return "action_pause_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        form = (tracker.active_loop or {}).get("name")
        if not form:
            return []
        required = (domain.get("forms") or {}).get(form, {}).get("required_slots") or []
        kept = {
            slot: tracker.get_slot(slot)
            for slot in [*required, "house_number"]
            if slot not in NOT_KEPT and tracker.get_slot(slot) is not None
        }
        return [
            ActiveLoop(None),
            SlotSet("requested_slot", None),
            SlotSet(SLOT, {"form": form, "slots": kept}),
            *(SlotSet(slot, None) for slot in kept),
        ]
