"""What a handoff ticket is told about the conversation: its transcript, topic and why the
assistant handed over, read from the conversation's events as plain dicts (Rasa's event
JSON, as the action server and `Event.as_dict()` give them)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from bot.services.handoff import TranscriptTurn

# Rasa's input channel names -> the ticket's channel (the bus topic staff replies go to).
CHANNELS = {"webchat": "web", "sms": "sms", "rest": "rest"}
# Intents that say nothing about what the resident needs.
NOT_A_TOPIC = frozenset(
    {
        "greet",
        "goodbye",
        "thank",
        "affirm",
        "deny",
        "bot_challenge",
        "request_human",
        "what_can_you_do",
        "out_of_scope",
        "inform",
        "cancel",
        "nlu_fallback",
    }
)
# Why the assistant handed over, as staff read it in the queue.
REASONS = {
    "asked_for_person": "Asked for a person",
    "not_understood": "Not understood twice",
    "urgent": "Urgent",
    "system_down": "System down",
    "answer_did_not_help": "Answer did not help",
}


def ticket_channel(input_channel: str | None) -> str:
    """The ticket's channel for a Rasa input channel name (unknown ones are 'rest')."""
    return CHANNELS.get(input_channel or "", "rest")


def _intent(event: dict[str, Any]) -> tuple[str, float | None]:
    intent = (event.get("parse_data") or {}).get("intent") or {}
    confidence = intent.get("confidence")
    return str(intent.get("name") or ""), confidence if isinstance(confidence, float) else None


def _at(event: dict[str, Any]) -> datetime | None:
    stamp = event.get("timestamp")
    if not isinstance(stamp, (int, float)):
        return None
    return datetime.fromtimestamp(stamp, tz=timezone.utc)


def transcript(events: list[dict[str, Any]]) -> list[TranscriptTurn]:
    """Resident and bot turns of the current session, resident turns with 'intent (0.93)'."""
    start = 0
    for index, event in enumerate(events):
        if event.get("event") == "session_started":
            start = index
    turns: list[TranscriptTurn] = []
    for event in events[start:]:
        kind, text = event.get("event"), (event.get("text") or "").strip()
        if not text or kind not in ("user", "bot"):
            continue
        if kind == "bot":
            turns.append(TranscriptTurn("bot", text, at=_at(event)))
            continue
        name, confidence = _intent(event)
        label = f"{name} ({confidence:.2f})" if name and confidence is not None else name
        turns.append(TranscriptTurn("resident", text, intent=label or None, at=_at(event)))
    return turns


def topic_of(events: list[dict[str, Any]]) -> str:
    """The last task or FAQ intent the resident raised ('general' when none)."""
    for event in reversed(events):
        if event.get("event") == "user":
            name, _ = _intent(event)
            if name and name not in NOT_A_TOPIC:
                return name
    return "general"
