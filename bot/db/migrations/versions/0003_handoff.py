"""Staff handoff queue: staff accounts, tickets, ticket messages, audit log, sign-in attempts.

Revision ID: 0003_handoff
Revises: 0001_council_data
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_handoff"
down_revision = "0001_council_data"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_staff_accounts"),
        sa.UniqueConstraint("username", name="uq_staff_accounts_username"),
    )
    op.create_table(
        "handoff_tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(128), nullable=False),
        sa.Column("open_conversation_id", sa.String(128), nullable=True),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("topic", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("priority", sa.String(16), nullable=False),
        sa.Column("priority_rank", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("contact", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.Integer(), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.ForeignKeyConstraint(
            ["claimed_by"],
            ["staff_accounts.id"],
            name="fk_handoff_tickets_claimed_by_staff_accounts",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_handoff_tickets"),
        sa.UniqueConstraint("open_conversation_id", name="uq_handoff_tickets_open_conversation_id"),
    )
    op.create_index(
        "ix_handoff_tickets_conversation_id", "handoff_tickets", ["conversation_id"]
    )
    op.create_index("ix_handoff_tickets_status", "handoff_tickets", ["status"])
    op.create_index(
        "ix_handoff_tickets_queue", "handoff_tickets", ["status", "priority_rank", "created_at"]
    )
    op.create_table(
        "handoff_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("author_kind", sa.String(16), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("intent", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["handoff_tickets.id"],
            name="fk_handoff_messages_ticket_id_handoff_tickets",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff_accounts.id"],
            name="fk_handoff_messages_staff_id_staff_accounts",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_handoff_messages"),
    )
    op.create_index("ix_handoff_messages_ticket_id", "handoff_messages", ["ticket_id"])
    op.create_table(
        "handoff_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("detail", sa.String(500), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff_accounts.id"], name="fk_handoff_audit_staff_id_staff_accounts"
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["handoff_tickets.id"],
            name="fk_handoff_audit_ticket_id_handoff_tickets",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_handoff_audit"),
    )
    op.create_index("ix_handoff_audit_at", "handoff_audit", ["at"])
    op.create_index("ix_handoff_audit_ticket_id", "handoff_audit", ["ticket_id"])
    op.create_table(
        "staff_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff_accounts.id"], name="fk_staff_sessions_staff_id_staff_accounts"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_staff_sessions"),
        sa.UniqueConstraint("token_hash", name="uq_staff_sessions_token_hash"),
    )
    op.create_index("ix_staff_sessions_staff_id", "staff_sessions", ["staff_id"])
    op.create_table(
        "staff_sign_in_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("ip", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_staff_sign_in_attempts"),
    )
    op.create_index(
        "ix_staff_sign_in_attempts_username", "staff_sign_in_attempts", ["username"]
    )
    op.create_index("ix_staff_sign_in_attempts_ip", "staff_sign_in_attempts", ["ip"])
    op.create_index("ix_staff_sign_in_attempts_at", "staff_sign_in_attempts", ["at"])


def downgrade() -> None:
    op.drop_table("staff_sign_in_attempts")
    op.drop_table("staff_sessions")
    op.drop_table("handoff_audit")
    op.drop_table("handoff_messages")
    op.drop_table("handoff_tickets")
    op.drop_table("staff_accounts")
