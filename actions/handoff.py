"""Handing the conversation to a person."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.messaging import say


class ActionHandoff(Action):
    """Hands the conversation to a person. Until the staff queue exists: how to reach one."""

    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        say(dispatcher, "handoff_phone")
        return [SlotSet("fallback_count", 0)]
