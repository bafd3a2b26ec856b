"""Retention: conversations quiet for longer than the retention period are counted into
the daily aggregates, then their text is removed (tracker events deleted, handoff
messages blanked). The dashboard's figures for those days stay the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from bot.db import insight as store
from bot.db.session import session_scope
from bot.services.insight.conversations import read_conversation
from bot.services.insight.measures import daily_counts

BATCH = 200
REMOVED_TEXT = "[removed after the retention period]"


@dataclass(frozen=True)
class RetentionResult:
    """What one retention run did."""

    conversations: int
    events_deleted: int
    ticket_messages_blanked: int


def counts_then_forget(
    tracker: Engine, project: Engine, conversation_ids: list[str], placeholder: str = REMOVED_TEXT
) -> tuple[int, int]:
    """Add these conversations to the daily aggregates, then delete their tracker events and
    blank their handoff messages; returns (events deleted, ticket messages blanked)."""
    events = store.events_of_senders(tracker, conversation_ids)
    conversations = [read_conversation(sender, found) for sender, found in events.items()]
    rows = daily_counts(c for c in conversations if c is not None)
    with session_scope(project) as session:
        store.add_aggregates(session, rows)
        tickets = store.tickets_of_conversations(session, conversation_ids)
        blanked = store.blank_ticket_texts(session, [t.id for t in tickets], placeholder)
    # Counted first, deleted second: a failure in between leaves text for another run,
    # never a gap in the figures.
    deleted = store.delete_tracker_events(tracker, conversation_ids)
    return deleted, blanked


def apply_retention(tracker: Engine, project: Engine, now: datetime, days: int) -> RetentionResult:
    """Forget the text of conversations whose last event is more than `days` days before `now`."""
    if days < 1:
        raise ValueError("the retention period must be at least one day")
    cutoff = (now - timedelta(days=days)).timestamp()
    old = store.senders_last_seen_before(tracker, cutoff)
    deleted = blanked = 0
    for start in range(0, len(old), BATCH):
        batch = old[start : start + BATCH]
        batch_deleted, batch_blanked = counts_then_forget(tracker, project, batch)
        deleted += batch_deleted
        blanked += batch_blanked
    return RetentionResult(len(old), deleted, blanked)
