"""The urgent labels of the shared taxonomy: each gets emergency help first, then a person.

Their answers are `urgent_<label>` in content/messages/urgent.yml; a handoff for any of
them opens an urgent ticket at the top of the staff queue.
"""

from __future__ import annotations

URGENT_LABELS: tuple[str, ...] = (
    "crisis_self_harm",
    "domestic_abuse",
    "emergency_danger",
    "safeguarding_concern",
    "homelessness",
)
URGENT = frozenset(URGENT_LABELS)


def is_urgent(label: str | None) -> bool:
    """True when `label` (an intent name) is one of the urgent labels."""
    return label in URGENT


def urgent_content_key(label: str) -> str:
    """The content key of a label's urgent answer (`urgent_crisis_self_harm`)."""
    return f"urgent_{label}"
