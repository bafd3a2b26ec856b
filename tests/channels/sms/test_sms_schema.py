"""Migrations 0002, 0006 and 0007 make exactly the tables bot/db/sms.py describes."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, Table
from sqlalchemy.engine import Engine

from bot.db import sms

SMS_TABLES = {"sms_inbound", "sms_opt_out", "sms_pending_options", "sms_outbound", "sms_numbers"}


def inbound(message_id: str, provider: str = "twilio") -> sms.Inbound:
    """A text from one made-up number, as a provider delivers it."""
    return sms.Inbound(provider, message_id, "+447700900001", "hello")


def _table_of(diff: Any) -> str:
    # Alembic's diffs are tuples (or lists of tuples) holding a name, Table, Column or Index.
    item = diff[0] if isinstance(diff, list) else diff
    for part in item[1:]:
        if isinstance(part, Table):
            return str(part.name)
        if isinstance(part, str) and part in SMS_TABLES:
            return part
        table = getattr(part, "table", None)
        if isinstance(table, Table):
            return str(table.name)
    return ""


def test_the_migrated_sms_tables_match_the_models(migrated_engine: Engine) -> None:
    ours = MetaData(naming_convention=sms.Base.metadata.naming_convention)
    for name in SMS_TABLES:
        sms.Base.metadata.tables[name].to_metadata(ours)
    with migrated_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diffs = [d for d in compare_metadata(context, ours) if _table_of(d) in SMS_TABLES]
    assert diffs == []


def test_a_message_id_is_unique_per_provider(migrated_engine: Engine) -> None:
    assert sms.claim_inbound(migrated_engine, inbound("SM1"), "h") is True
    assert sms.claim_inbound(migrated_engine, inbound("SM1"), "h") is False
    assert sms.claim_inbound(migrated_engine, inbound("SM1", "notify"), "h") is True
