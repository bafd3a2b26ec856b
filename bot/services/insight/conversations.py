"""One conversation read from Rasa's tracker events: what the measures need to know.

Feedback is read from the slots the dialogue sets: `feedback_topic` (the topic
awaiting an answer) and `feedback_answer` ("yes" or "no").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from functools import cached_property

from bot.clock import LONDON
from bot.db.insight import TrackerEvent

# Conversation management and NLU outcomes: not topics residents ask about.
NOT_TOPICS = frozenset(
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
        "nlu_fallback",
        "inform",
        "cancel",
        "menu",
        "stop",
        "restart",
        "session_start",
        "",
    }
)
FALLBACK_INTENTS = frozenset({"nlu_fallback", "out_of_scope"})
FALLBACK_ACTIONS = frozenset({"action_fallback", "action_default_fallback"})
HANDOFF_ACTIONS = frozenset({"action_handoff"})
STATUS_ACTIONS = frozenset({"action_check_status"})
# Actions that are bookkeeping, not a reply to the resident.
SILENT_ACTIONS = frozenset(
    {
        "action_listen",
        "action_session_start",
        "action_unlikely_intent",
        "action_restart",
        "action_back",
        "action_extract_slots",
    }
)
NO_TOPIC = "(none)"
# Rasa's input channel names -> the channel names the project's tables use.
CHANNEL_NAMES = {"webchat": "web", "rest": "web", "socketio": "web"}


@dataclass
class Conversation:
    """What happened in one conversation, in plain values."""

    conversation_id: str
    started_at: datetime
    channel: str = "unknown"
    topics: list[str] = field(default_factory=list)
    user_messages: int = 0
    fallback_messages: int = 0
    status_lookups: int = 0
    handed_off: bool = False
    feedback: list[tuple[str, str]] = field(default_factory=list)  # (topic, "yes"/"no")
    # Texts residents wrote that the assistant could not answer, or answered with a "no".
    unanswered: list[tuple[str, str]] = field(default_factory=list)  # (reason, text)
    last_reply_failed: bool = False

    @cached_property  # asked for per conversation by every figure: worked out once
    def day(self) -> date:
        """The London day the conversation started."""
        return self.started_at.astimezone(LONDON).date()

    @property
    def topic(self) -> str:
        """The first topic asked about, or '(none)'."""
        return self.topics[0] if self.topics else NO_TOPIC

    @property
    def said_no(self) -> bool:
        return any(answer == "no" for _, answer in self.feedback)

    @property
    def contained(self) -> bool:
        """Ended without a person, without a "no" and without an unanswered last turn."""
        return (
            self.user_messages > 0
            and not self.handed_off
            and not self.said_no
            and not self.last_reply_failed
        )


def _intent(event: TrackerEvent) -> str:
    if event.intent_name:
        return event.intent_name
    intent = (event.data.get("parse_data") or {}).get("intent") or {}
    return str(intent.get("name") or "")


def read_conversation(conversation_id: str, events: Sequence[TrackerEvent]) -> Conversation | None:
    """The Conversation these tracker events describe; None when the resident never wrote."""
    users = [e for e in events if e.type_name == "user"]
    if not users:
        return None
    started = datetime.fromtimestamp(users[0].timestamp, tz=timezone.utc)
    channel = str(users[0].data.get("input_channel") or "unknown")
    conversation = Conversation(
        conversation_id=conversation_id,
        started_at=started,
        channel=CHANNEL_NAMES.get(channel, channel)[:32],
    )
    latest_intent = ""
    latest_text = ""
    last_topic_text = ""
    awaiting_topic = ""
    for event in events:
        if event.type_name == "user":
            latest_intent = _intent(event)
            latest_text = str(event.data.get("text") or "")
            conversation.user_messages += 1
            if latest_intent in FALLBACK_INTENTS:
                conversation.fallback_messages += 1
                conversation.unanswered.append((latest_intent, latest_text))
            elif latest_intent not in NOT_TOPICS:
                conversation.topics.append(latest_intent)
                last_topic_text = latest_text
        elif event.type_name == "action":
            name = event.action_name or str(event.data.get("name") or "")
            if name in SILENT_ACTIONS:
                continue
            if name in HANDOFF_ACTIONS:
                conversation.handed_off = True
            if name in STATUS_ACTIONS:
                conversation.status_lookups += 1
            if name in FALLBACK_ACTIONS and latest_intent not in FALLBACK_INTENTS:
                conversation.fallback_messages += 1
                conversation.unanswered.append(("nlu_fallback", latest_text))
            conversation.last_reply_failed = (
                name in FALLBACK_ACTIONS or latest_intent in FALLBACK_INTENTS
            )
        elif event.type_name == "slot":
            name = str(event.data.get("name") or "")
            value = event.data.get("value")
            if name == "feedback_topic":
                awaiting_topic = str(value or "")
            elif name == "feedback_answer" and value in ("yes", "no"):
                topic = awaiting_topic or (
                    conversation.topics[-1] if conversation.topics else NO_TOPIC
                )
                conversation.feedback.append((topic, str(value)))
                if value == "no" and last_topic_text:
                    conversation.unanswered.append(("no", last_topic_text))
    return conversation
