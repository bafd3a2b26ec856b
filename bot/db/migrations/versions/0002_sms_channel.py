"""SMS channel: inbound message ids (de-duplication), opt-outs, pending options, outbound texts.

Revision ID: 0002_sms_channel
Revises: 0001_council_data
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_sms_channel"
down_revision = "0001_council_data"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sms_inbound",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(16), nullable=False),
        sa.Column("provider_message_id", sa.String(64), nullable=False),
        sa.Column("number_hash", sa.String(128), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sms_inbound"),
        sa.UniqueConstraint(
            "provider", "provider_message_id", name="uq_sms_inbound_provider"
        ),
    )
    op.create_index("ix_sms_inbound_number_hash", "sms_inbound", ["number_hash"])
    op.create_table(
        "sms_opt_out",
        sa.Column("number_hash", sa.String(128), nullable=False),
        sa.Column("opted_out_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("number_hash", name="pk_sms_opt_out"),
    )
    op.create_table(
        "sms_pending_options",
        sa.Column("number_hash", sa.String(128), nullable=False),
        sa.Column("options_json", sa.Text(), nullable=False),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("number_hash", name="pk_sms_pending_options"),
    )
    op.create_table(
        "sms_outbound",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(128), nullable=False),
        sa.Column("provider", sa.String(16), nullable=False),
        sa.Column("recipient", sa.String(20), nullable=False),
        sa.Column("recipient_hash", sa.String(128), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.Column("provider_message_id", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sms_outbound"),
        sa.UniqueConstraint("idempotency_key", name="uq_sms_outbound_idempotency_key"),
    )
    op.create_index("ix_sms_outbound_recipient_hash", "sms_outbound", ["recipient_hash"])
    op.create_index("ix_sms_outbound_status", "sms_outbound", ["status"])


def downgrade() -> None:
    op.drop_index("ix_sms_outbound_status", table_name="sms_outbound")
    op.drop_index("ix_sms_outbound_recipient_hash", table_name="sms_outbound")
    op.drop_table("sms_outbound")
    op.drop_table("sms_pending_options")
    op.drop_table("sms_opt_out")
    op.drop_index("ix_sms_inbound_number_hash", table_name="sms_inbound")
    op.drop_table("sms_inbound")
