"""Plain English for staff: every code name the queue stores has words in
content/messages/staff.yml, and the pages show those words."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.services.alerts import TOPICS as ALERT_TOPICS
from bot.services.handoff import OUTCOMES
from bot.services.handoff_queue import OPEN_STATUSES
from bot.services.handoff_transcript import CHANNELS, NOT_A_TOPIC, REASONS
from bot.settings import Settings
from bot.web.labels import StaffLabels

TAXONOMY_FILE = Path("/work/shared/taxonomy.yml")
LABELS = StaffLabels.from_directory(Settings().messages_dir)


def _taxonomy_intents() -> list[str]:
    if not TAXONOMY_FILE.exists():
        pytest.skip(f"the intent contract {TAXONOMY_FILE} is not present on this machine")
    raw = yaml.safe_load(TAXONOMY_FILE.read_text(encoding="utf-8"))
    return sorted(label for group in raw.values() for label in group)


def test_every_intent_that_can_be_a_topic_has_a_label() -> None:
    topics = [name for name in _taxonomy_intents() if name not in NOT_A_TOPIC] + ["general"]
    assert len(topics) > 30
    assert [name for name in topics if not LABELS.has("topic", name)] == []


def test_every_detected_intent_has_words_too() -> None:
    assert [name for name in _taxonomy_intents() if not LABELS.has("topic", name)] == []
    assert [name for name in NOT_A_TOPIC if not LABELS.has("topic", name)] == []


def test_every_channel_reason_outcome_status_event_and_alert_topic_has_a_label() -> None:
    missing = [
        (kind, code)
        for kind, codes in (
            ("channel", set(CHANNELS.values())),
            ("reason", set(REASONS)),
            ("outcome", set(OUTCOMES)),
            ("status", {*OPEN_STATUSES, "resolved", "cancelled"}),
            ("event", {"handed_back"}),
            ("alert_topic", set(ALERT_TOPICS)),
        )
        for code in codes
        if not LABELS.has(kind, code)
    ]
    assert missing == []


def test_labels_are_plain_words_not_code_names() -> None:
    raw = yaml.safe_load((Settings().messages_dir / "staff.yml").read_text(encoding="utf-8"))
    for key, words in raw.items():
        assert key.startswith("staff_"), key
        assert "_" not in words and words[:1].isupper(), (key, words)


def test_stored_reasons_and_intents_read_as_staff_words() -> None:
    assert LABELS.reason("Urgent: safeguarding_concern") == "Urgent: Safeguarding concern"
    assert LABELS.reason("Asked for a person") == "Asked for a person"
    assert LABELS.reason("system_down") == "System down"
    assert LABELS.label("channel", "rest") == "Other app (API)"
    assert LABELS.label("event", "handed_back") == "Handed back to the assistant"
    assert LABELS.intent("council_tax_pay (0.93)") == "Paying council tax (0.93)"
    # A code name nobody has labelled yet still reads as words, never raw.
    assert LABELS.topic("brand_new_topic") == "Brand new topic"
