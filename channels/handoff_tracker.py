"""Writing handed-over messages into Rasa's tracker, so a reloaded chat shows them.

Each message carries a key in its metadata (`handoff_key`); a message whose key is already
in the tracker is not written again, so several servers that hear the same bus event
record it once (under the conversation's lock: Rasa's Redis lock store across servers).
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.shared.core.events import BotUttered, ConversationResumed, Event, UserUttered

logger = logging.getLogger(__name__)
KEY = "handoff_key"


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


async def record(
    agent: Any, sender_id: str, text: str, key: str, resume: bool = False
) -> bool:
    """Append the bot message `text` (and, with `resume`, resume the conversation first).

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
        events: list[Event] = [ConversationResumed()] if resume else []
        events.append(BotUttered(text, metadata={KEY: key}))
        for event in events:
            tracker.update(event)
        await agent.tracker_store.save(tracker)
    return True


async def record_resident(
    agent: Any, sender_id: str, text: str, input_channel: str | None
) -> None:
    """Log what a handed-over resident sent, without the assistant reading or answering it
    (even if the conversation's session expired while they waited, which unpauses it)."""
    async with agent.lock_store.lock(sender_id):
        tracker = await agent.tracker_store.get_or_create_tracker(
            sender_id, append_action_listen=False
        )
        tracker.update(UserUttered(text, input_channel=input_channel))
        await agent.tracker_store.save(tracker)


async def is_paused(agent: Any, sender_id: str) -> bool:
    """True when the conversation is paused (handed to a person)."""
    if agent is None:
        return False
    tracker = await agent.tracker_store.retrieve(sender_id)
    return tracker is not None and tracker.is_paused()
