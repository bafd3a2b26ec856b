"""Writing handed-over messages into Rasa's tracker, so a reloaded chat shows them.

Each message carries a key in its metadata (`handoff_key`); a message whose key is already
in the tracker is not written again, so several servers that hear the same bus event
record it once (under the conversation's lock: Rasa's Redis lock store across servers).

Handing back leaves the tracker as if the assistant had just finished a turn. Rasa stops
predicting as soon as `action_handoff` pauses the conversation, so that turn never ends
with `action_listen`; resuming alone left `action_handoff` as the previous action, and no
rule (each starts "after action_listen, the resident said X") matched the next message:
the RulePolicy fell back to `action_fallback` twice and handed over again.
"""

from __future__ import annotations

import logging
from typing import Any, cast

from rasa.shared.core.constants import ACTION_LISTEN_NAME, REQUESTED_SLOT
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    ConversationResumed,
    Event,
    SlotSet,
    UserUttered,
)

logger = logging.getLogger(__name__)
KEY = "handoff_key"
LEFT_BEHIND_SLOTS: dict[str, Any] = {
    "handoff_ticket": None,
    "handoff_reason": None,
    "fallback_count": 0,
}


def _keys(tracker: Any) -> set[str]:
    return {
        str(event.metadata.get(KEY))
        for event in tracker.events
        if isinstance(event, BotUttered) and (event.metadata or {}).get(KEY)
    }


async def recorded_keys(agent: Any, sender_id: str) -> set[str]:
    """The handoff keys already written to the conversation's tracker."""
    tracker = await agent.tracker_store.retrieve(sender_id)
    return set() if tracker is None else _keys(tracker)


def left_with_a_person(tracker: Any) -> bool:
    """True when the conversation's last turn ended in a handoff and was never handed back
    to the assistant: paused, or (resumed by older code) not waiting for the resident.
    Read under the conversation's lock: a finished turn always ends with `action_listen`."""
    if tracker.is_paused():
        return True
    latest = tracker.latest_action_name
    return latest is not None and latest != ACTION_LISTEN_NAME


def back_to_the_assistant(tracker: Any) -> list[Event]:
    """The events that end a handoff: resumed, no task left half-asked, nothing of the
    handoff left in the slots. The caller ends them with `action_listen` (after any message
    it adds), so the next message is read as at the start of any turn."""
    events: list[Event] = [ConversationResumed()]
    if tracker.active_loop_name:
        events += [ActiveLoop(None), SlotSet(REQUESTED_SLOT, None)]
    # Nothing of the handoff carries over: no open ticket, no miss counted, no reason.
    for slot, empty in LEFT_BEHIND_SLOTS.items():
        if tracker.slots.get(slot) is not None and tracker.get_slot(slot) not in (None, empty):
            events.append(SlotSet(slot, empty))
    return events


async def record(agent: Any, sender_id: str, text: str, key: str, resume: bool = False) -> bool:
    """Append the bot message `text`; with `resume`, hand the conversation back to the
    assistant first (unless it already is: then only the message is added).

    Returns False when a message with `key` is already recorded (nothing is written).
    """
    if agent is None or getattr(agent, "tracker_store", None) is None:
        return False
    async with agent.lock_store.lock(sender_id):
        tracker = await agent.tracker_store.get_or_create_tracker(
            sender_id, append_action_listen=False
        )
        if key in _keys(tracker):
            return False
        handing_back = resume and left_with_a_person(tracker)
        events = back_to_the_assistant(tracker) if handing_back else []
        events.append(BotUttered(text, metadata={KEY: key}))
        if handing_back:
            events.append(ActionExecuted(ACTION_LISTEN_NAME))
        for event in events:
            tracker.update(event)
        await agent.tracker_store.save(tracker)
    return True


async def hand_back_if_left(agent: Any, sender_id: str) -> bool:
    """Hand the conversation back to the assistant if a handoff left it with a person
    (its ticket was closed without the relay hearing of it); True if it did."""
    if agent is None or getattr(agent, "tracker_store", None) is None:
        return False
    async with agent.lock_store.lock(sender_id):
        tracker = await agent.tracker_store.retrieve(sender_id)
        if tracker is None or not left_with_a_person(tracker):
            return False
        for event in [*back_to_the_assistant(tracker), ActionExecuted(ACTION_LISTEN_NAME)]:
            tracker.update(event)
        await agent.tracker_store.save(tracker)
    logger.info("handoff: a conversation whose ticket had closed was handed back")
    return True


async def record_resident(
    agent: Any,
    sender_id: str,
    text: str,
    input_channel: str | None,
    parse_data: dict[str, Any] | None = None,
) -> None:
    """Log what a handed-over resident sent, with what was understood of it (`parse_data`)
    for the transcript, without the assistant answering it (even if the conversation's
    session expired while they waited, which unpauses it)."""
    parsed = parse_data or {}
    async with agent.lock_store.lock(sender_id):
        tracker = await agent.tracker_store.get_or_create_tracker(
            sender_id, append_action_listen=False
        )
        tracker.update(
            UserUttered(
                text,
                intent=parsed.get("intent"),
                entities=parsed.get("entities"),
                parse_data=cast(Any, parsed or None),  # Rasa types it as a TypedDict
                input_channel=input_channel,
            )
        )
        await agent.tracker_store.save(tracker)


async def is_paused(agent: Any, sender_id: str) -> bool:
    """True when the conversation is paused (handed to a person)."""
    if agent is None:
        return False
    tracker = await agent.tracker_store.retrieve(sender_id)
    return tracker is not None and tracker.is_paused()
