from __future__ import annotations

from datetime import date

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData
from sqlalchemy.exc import IntegrityError

from bot.db.insight import DailyAggregate, add_aggregates, aggregates_between
from bot.db.session import session_scope


def test_the_migration_matches_the_daily_aggregate_model(migrated_engine) -> None:
    metadata = MetaData()
    DailyAggregate.__table__.to_metadata(metadata)
    with migrated_engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "include_name": lambda name, kind, parent: (
                    kind != "table" or name == "insight_daily_aggregates"
                ),
            },
        )
        assert compare_metadata(context, metadata) == []


def test_adding_aggregates_for_the_same_day_channel_and_topic_sums_them(migrated_engine) -> None:
    row = {
        "day": date(2026, 11, 2),
        "channel": "web",
        "topic": "council_tax_pay",
        "conversations": 2,
        "contained": 1,
    }
    with session_scope(migrated_engine) as session:
        add_aggregates(session, [row])
        add_aggregates(session, [row])
    with session_scope(migrated_engine) as session:
        [stored] = aggregates_between(session, date(2026, 11, 1), date(2026, 11, 30))
    assert (stored["conversations"], stored["contained"], stored["feedback_no"]) == (4, 2, 0)


def test_the_database_keeps_one_row_per_day_channel_and_topic(migrated_engine) -> None:
    with pytest.raises(IntegrityError), session_scope(migrated_engine) as session:
        for _ in range(2):
            session.add(
                DailyAggregate(
                    day=date(2026, 11, 2),
                    channel="sms",
                    topic="x",
                    **{
                        name: 0
                        for name in (
                            "conversations",
                            "contained",
                            "handed_off",
                            "user_messages",
                            "fallback_messages",
                            "topic_messages",
                            "feedback_yes",
                            "feedback_no",
                            "status_lookups",
                        )
                    },
                )
            )
        session.flush()
