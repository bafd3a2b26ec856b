"""Staff sign-in: browsers that signed in before (known devices), and failed attempts
remember the known device they came from, so each has a throttle of its own.

Revision ID: 0007_sign_in_devices
Revises: 0003_handoff
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_sign_in_devices"
down_revision = "0003_handoff"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("staff_sign_in_attempts", sa.Column("device", sa.String(64), nullable=True))
    op.create_index("ix_staff_sign_in_attempts_device", "staff_sign_in_attempts", ["device"])
    op.create_table(
        "staff_known_devices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("device_hash", sa.String(64), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_signed_in_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff_accounts.id"],
            name="fk_staff_known_devices_staff_id_staff_accounts",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_staff_known_devices"),
        sa.UniqueConstraint("device_hash", name="uq_staff_known_devices_device_hash"),
    )
    op.create_index("ix_staff_known_devices_staff_id", "staff_known_devices", ["staff_id"])
    op.create_index(
        "ix_staff_known_devices_last_signed_in_at", "staff_known_devices", ["last_signed_in_at"]
    )


def downgrade() -> None:
    op.drop_table("staff_known_devices")
    op.drop_index("ix_staff_sign_in_attempts_device", table_name="staff_sign_in_attempts")
    with op.batch_alter_table("staff_sign_in_attempts") as batch:
        batch.drop_column("device")
