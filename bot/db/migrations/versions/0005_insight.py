"""Insight: daily aggregates that remain after retention removes conversations.

Revision ID: 0005_insight
Revises: 0001_council_data
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_insight"
down_revision = "0001_council_data"
branch_labels = None
depends_on = None

COUNTERS = (
    "conversations", "contained", "handed_off", "user_messages", "fallback_messages",
    "topic_messages", "feedback_yes", "feedback_no", "status_lookups",
)


def upgrade() -> None:
    op.create_table(
        "insight_daily_aggregates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=False),
        *[sa.Column(name, sa.Integer(), nullable=False) for name in COUNTERS],
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insight_daily_aggregates")),
        sa.UniqueConstraint(
            "day", "channel", "topic", name=op.f("uq_insight_daily_aggregates_day")
        ),
    )
    op.create_index(
        op.f("ix_insight_daily_aggregates_day"), "insight_daily_aggregates", ["day"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_insight_daily_aggregates_day"), table_name="insight_daily_aggregates")
    op.drop_table("insight_daily_aggregates")
