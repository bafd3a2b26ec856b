from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from insight_seed import DAY1, DAY2, seed
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from bot.db.handoff import TicketMessage
from bot.db.insight import tracker_events
from bot.db.session import session_scope
from bot.services.insight.measures import build_report
from bot.services.insight.retention import REMOVED_TEXT, apply_retention

FIRST, LAST = date(2026, 11, 2), date(2026, 11, 3)


def _senders(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return {row[0] for row in connection.execute(select(tracker_events.c.sender_id).distinct())}


def test_old_conversations_lose_their_text_but_keep_their_counts(migrated_engine: Engine) -> None:
    seed(migrated_engine)
    before = build_report(migrated_engine, migrated_engine, FIRST, LAST)
    # 90 days after the second of November: every conversation that day is past retention.
    now = DAY1 + timedelta(days=90, hours=12)
    result = apply_retention(migrated_engine, migrated_engine, now, 90)
    assert result.conversations == 5 + 1  # five on 2 November and the October one
    assert _senders(migrated_engine) == {"c5", "c7"}
    after = build_report(migrated_engine, migrated_engine, FIRST, LAST)
    assert after["totals"] == before["totals"]
    assert after["by_day"] == before["by_day"]
    assert after["by_topic"] == before["by_topic"]
    with session_scope(migrated_engine) as session:
        texts = {m.text for m in session.execute(select(TicketMessage)).scalars()}
    assert REMOVED_TEXT in texts and "my name is Jane, ticket 1" in texts


def test_running_retention_again_changes_nothing(migrated_engine: Engine) -> None:
    seed(migrated_engine)
    now = DAY2 + timedelta(days=91)
    apply_retention(migrated_engine, migrated_engine, now, 90)
    first = build_report(migrated_engine, migrated_engine, FIRST, LAST)
    again = apply_retention(migrated_engine, migrated_engine, now, 90)
    assert again.conversations == 0
    assert build_report(migrated_engine, migrated_engine, FIRST, LAST)["totals"] == first["totals"]
    assert first["totals"]["conversations"] == 7 and _senders(migrated_engine) == set()


def test_recent_conversations_are_kept(migrated_engine: Engine) -> None:
    seed(migrated_engine)
    result = apply_retention(migrated_engine, migrated_engine, DAY2 + timedelta(days=1), 14)
    assert result.conversations == 1  # only the October conversation is 14 days old
    with migrated_engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(tracker_events)).scalar() > 50


def test_a_retention_period_under_a_day_is_refused(migrated_engine: Engine) -> None:
    with pytest.raises(ValueError):
        apply_retention(migrated_engine, migrated_engine, datetime.now(timezone.utc), 0)
