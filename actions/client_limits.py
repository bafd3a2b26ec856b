"""Limits per client across conversations: a new conversation (a new widget session, a
new REST sender) does not reset them. The client is the channel's keyed hash of the real
address (channels/client_key.py), in the message's metadata; without one (SMS, tests),
no client limit applies (SMS is limited per number instead).
"""

from __future__ import annotations

from rasa_sdk import Tracker

from bot.rate_limits import KeyedRateLimit

# Codes texted or emailed for reminders: a client may ask for 6 a day, whatever the numbers.
CODE_SENDS = KeyedRateLimit(limit=6, window=24 * 3600)
# Reference look-ups that find nothing: 4 conversations' worth (STATUS_LOOKUP_ATTEMPTS
# each) from one address, so a household behind one router is not stopped.
FAILED_LOOKUP_CONVERSATIONS = 4


def client_of(tracker: Tracker) -> str | None:
    """The key of the client who sent the latest message, if its channel named one."""
    metadata = tracker.latest_message.get("metadata") or {}
    client = metadata.get("client") if isinstance(metadata, dict) else None
    if isinstance(client, str) and client:
        return "client:" + client
    return None
