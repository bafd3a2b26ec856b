"""Staff sign-in: failed attempts remember the known device they came from (if any), so a
browser that signed in before has a throttle of its own.

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


def downgrade() -> None:
    op.drop_index("ix_staff_sign_in_attempts_device", table_name="staff_sign_in_attempts")
    with op.batch_alter_table("staff_sign_in_attempts") as batch:
        batch.drop_column("device")
