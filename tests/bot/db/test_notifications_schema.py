"""Migration 0004 builds exactly the tables the notification models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData
from sqlalchemy.engine import Engine

from bot.db import notifications as models

TABLES = [
    models.NotificationConsent, models.NotificationSubscription, models.NotificationCode,
    models.ReminderDelivery, models.ServiceAlert, models.AlertDelivery,
]  # fmt: skip


def test_the_migration_matches_the_models(migrated_engine: Engine) -> None:
    names = {model.__table__.name for model in TABLES}
    metadata = MetaData()
    for model in TABLES:
        model.__table__.to_metadata(metadata)
    with migrated_engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "include_name": lambda name, kind, parent: kind != "table" or name in names,
            },
        )
        assert compare_metadata(context, metadata) == []
