"""Plain English for staff: the names staff read in place of the code names the system
stores (topics, channels, reasons for handoff, events, outcomes, alert topics).

The words live in content/messages/staff.yml, as `staff_<kind>_<code name>`. A code name
without a label is shown as words ("council tax pay" -> "Council tax pay"), never raw, and
tests/bot/web/test_staff_labels.py checks that every topic the taxonomy allows has one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

from bot.services.handoff_transcript import REASONS

LABEL_FILE = "staff.yml"
KINDS = ("topic", "channel", "reason", "event", "outcome", "status", "alert_topic")


def as_words(code: str) -> str:
    """A code name with no label, as words: 'council_tax_pay' -> 'Council tax pay'."""
    words = str(code or "").replace("_", " ").strip()
    return words[:1].upper() + words[1:]


class StaffLabels:
    """Looks up the staff wording for each kind of code name."""

    def __init__(self, messages: Mapping[str, Any]) -> None:
        self._messages = {
            str(k): str(v) for k, v in messages.items() if str(k).startswith("staff_")
        }
        # Reasons are stored as the words in REASONS ("Urgent: safeguarding_concern").
        self._reason_codes = {words: code for code, words in REASONS.items()}

    @classmethod
    def from_directory(cls, directory: Path) -> StaffLabels:
        """The labels in `directory`/staff.yml (none when the file is missing)."""
        path = directory / LABEL_FILE
        if not path.exists():
            return cls({})
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")) or {})

    def has(self, kind: str, code: str) -> bool:
        return f"staff_{kind}_{code}" in self._messages

    def label(self, kind: str, code: str | None) -> str:
        """The words for `code` of `kind` ("topic", "channel" ...)."""
        if code is None or code == "":
            return ""
        return self._messages.get(f"staff_{kind}_{code}") or as_words(code)

    def topic(self, code: str | None) -> str:
        return self.label("topic", code)

    def intent(self, stored: str | None) -> str:
        """A detected intent as stored: 'council_tax_pay (0.93)' -> 'Paying council tax (0.93)'."""
        name, _, rest = str(stored or "").partition(" ")
        return f"{self.topic(name)} {rest}".strip() if name else ""

    def reason(self, stored: str | None) -> str:
        """A reason for handoff as stored: 'Urgent: safeguarding_concern' ->
        'Urgent: Safeguarding concern' (reason words and topic from content)."""
        text = str(stored or "")
        if text in REASONS:
            return self.label("reason", text)
        words, sep, topic = text.partition(": ")
        code = self._reason_codes.get(words)
        if code is None:
            return text
        label = self.label("reason", code)
        return f"{label}: {self.topic(topic)}" if sep else label

    def filters(self) -> dict[str, Callable[[Any], str]]:
        """Jinja filters: `{{ t.topic | topic_label }}` and so on."""
        return {
            "topic_label": self.topic,
            "intent_label": self.intent,
            "reason_label": self.reason,
            "channel_label": lambda code: self.label("channel", code),
            "event_label": lambda code: self.label("event", code),
            "outcome_label": lambda code: self.label("outcome", code),
            "status_label": lambda code: self.label("status", code),
            "alert_topic_label": lambda code: self.label("alert_topic", code),
        }
