"""The conversation so far, as the chat shows it after a reload or a reconnection.

Read from Rasa's tracker store: user and bot events become transcript entries;
everything else (actions, slots, session starts) is left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from channels.web.frames import bot_frame

MAX_HISTORY_MESSAGES = 200


def transcript(events: Iterable[dict[str, Any]], limit: int = MAX_HISTORY_MESSAGES) -> list[dict]:
    """Transcript entries from tracker event dicts, oldest first, at most `limit` (the newest).

    A user entry is {"type": "user", "text"}: the words the resident saw on the
    button they pressed (kept in the event's metadata) rather than its payload.
    A bot entry has the shape of a bot frame: {"type": "bot", "text", "buttons"}.
    """
    entries: list[dict[str, Any]] = []
    for event in events:
        kind = event.get("event")
        if kind == "user":
            metadata = event.get("metadata") or {}
            shown = metadata.get("webchat_display") if isinstance(metadata, dict) else None
            text = shown if isinstance(shown, str) and shown else event.get("text")
            if text:
                entries.append({"type": "user", "text": str(text)})
        elif kind == "bot":
            data = event.get("data") or {}
            buttons = data.get("buttons") or data.get("quick_replies") or []
            if event.get("text") or buttons:
                entries.append(bot_frame(event.get("text"), list(buttons)))
    return entries[-limit:]


async def load_transcript(tracker_store: Any, sender_id: str) -> list[dict[str, Any]]:
    """The transcript of `sender_id` from a Rasa tracker store ([] for a new conversation)."""
    if tracker_store is None:
        return []
    tracker = await tracker_store.retrieve_full_tracker(sender_id)
    if tracker is None:
        return []
    return transcript(event.as_dict() for event in tracker.events)
