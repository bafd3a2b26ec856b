"""The council's data: addresses, rounds, collection changes, service requests, look-up throttle.

Revision ID: 0001_council_data
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_council_data"
down_revision = None
branch_labels = None
depends_on = None

OPEN_MISSED_BIN_WHERE = (
    "category = 'missed_bin' AND uprn IS NOT NULL AND bin_stream IS NOT NULL "
    "AND status IN ('received', 'in_progress', 'scheduled')"
)


def upgrade() -> None:
    op.create_table(
        "collection_rounds",
        sa.Column("code", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_collection_rounds"),
    )
    op.create_table(
        "round_streams",
        sa.Column("round_code", sa.String(32), nullable=False),
        sa.Column("stream", sa.String(32), nullable=False),
        sa.Column("container", sa.String(64), nullable=False),
        sa.Column("frequency", sa.String(16), nullable=False),
        sa.Column("interval_days", sa.Integer(), nullable=False),
        sa.Column("first_collection", sa.Date(), nullable=False),
        sa.Column("notes", sa.String(200), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_code"], ["collection_rounds.code"],
            name="fk_round_streams_round_code_collection_rounds",
        ),
        sa.PrimaryKeyConstraint("round_code", "stream", name="pk_round_streams"),
    )
    op.create_table(
        "collection_changes",
        sa.Column("normal_date", sa.Date(), nullable=False),
        sa.Column("actual_date", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("normal_date", name="pk_collection_changes"),
    )
    op.create_table(
        "addresses",
        sa.Column("uprn", sa.String(12), nullable=False),
        sa.Column("house", sa.String(100), nullable=False),
        sa.Column("street", sa.String(100), nullable=False),
        sa.Column("town", sa.String(64), nullable=False),
        sa.Column("postcode", sa.String(8), nullable=False),
        sa.Column("round_code", sa.String(32), nullable=False),
        sa.Column("garden_waste", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_code"], ["collection_rounds.code"],
            name="fk_addresses_round_code_collection_rounds",
        ),
        sa.PrimaryKeyConstraint("uprn", name="pk_addresses"),
    )
    op.create_index("ix_addresses_postcode", "addresses", ["postcode"])
    op.create_table(
        "service_requests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("reference", sa.String(9), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("postcode", sa.String(8), nullable=True),
        sa.Column("location", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("uprn", sa.String(12), nullable=True),
        sa.Column("bin_stream", sa.String(32), nullable=True),
        sa.Column("collection_date", sa.Date(), nullable=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("contact_phone", sa.String(32), nullable=True),
        sa.Column("contact_email", sa.String(254), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_service_requests"),
        sa.UniqueConstraint("reference", name="uq_service_requests_reference"),
    )
    op.create_index(
        "uq_service_requests_open_missed_bin",
        "service_requests",
        ["uprn", "bin_stream"],
        unique=True,
        sqlite_where=sa.text(OPEN_MISSED_BIN_WHERE),
        postgresql_where=sa.text(OPEN_MISSED_BIN_WHERE),
    )
    op.create_table(
        "service_request_updates",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(500), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"], ["service_requests.id"],
            name="fk_service_request_updates_request_id_service_requests",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_service_request_updates"),
        sa.UniqueConstraint(
            "request_id", "at", "status", name="uq_service_request_updates_request_id"
        ),
    )
    op.create_table(
        "status_lookup_failures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("conversation_hash", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_status_lookup_failures"),
    )
    op.create_index(
        "ix_status_lookup_failures_conversation_hash",
        "status_lookup_failures",
        ["conversation_hash"],
    )
    op.create_index("ix_status_lookup_failures_at", "status_lookup_failures", ["at"])


def downgrade() -> None:
    op.drop_table("status_lookup_failures")
    op.drop_table("service_request_updates")
    op.drop_index("uq_service_requests_open_missed_bin", table_name="service_requests")
    op.drop_table("service_requests")
    op.drop_table("addresses")
    op.drop_table("collection_changes")
    op.drop_table("round_streams")
    op.drop_table("collection_rounds")
