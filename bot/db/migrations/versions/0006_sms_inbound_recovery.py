"""SMS: a text is kept (number and words) until processed, so a stopped process loses none.

Revision ID: 0006_sms_inbound_recovery
Revises: 0002_sms_channel
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_sms_inbound_recovery"
down_revision = "0002_sms_channel"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sms_inbound", sa.Column("sender", sa.String(32), nullable=True))
    op.add_column("sms_inbound", sa.Column("body", sa.Text(), nullable=True))
    op.add_column(
        "sms_inbound", sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.create_index("ix_sms_inbound_processed_at", "sms_inbound", ["processed_at"])
    # Texts from before kept nothing to process again: they count as processed.
    op.execute("UPDATE sms_inbound SET processed_at = received_at")


def downgrade() -> None:
    op.drop_index("ix_sms_inbound_processed_at", table_name="sms_inbound")
    with op.batch_alter_table("sms_inbound") as batch:
        batch.drop_column("processed_at")
        batch.drop_column("body")
        batch.drop_column("sender")
