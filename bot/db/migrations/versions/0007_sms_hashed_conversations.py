"""SMS conversations keyed by a keyed hash of the number (`sms:<hash>`), the number kept
in one table (`sms_numbers`), and an outbound text's number only until it is sent.

Existing tickets of SMS conversations move to the hashed id, and their numbers go into
`sms_numbers` so staff replies still reach them; web chat tickets move to `web:<session>`
(the id the widget's channel now gives). Rasa's tracker store is not rewritten:
conversations under the old ids are left to retention (`python -m bot privacy retain`).

Revision ID: 0007_sms_hashed_conversations
Revises: 0006_sms_inbound_recovery, 0003_handoff
"""

from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

from bot.privacy import hash_identifier

revision = "0007_sms_hashed_conversations"
down_revision = ("0006_sms_inbound_recovery", "0003_handoff")
branch_labels = None
depends_on = None

_FINAL = ("sent", "failed", "suppressed")


def upgrade() -> None:
    op.create_table(
        "sms_numbers",
        sa.Column("number_hash", sa.String(128), nullable=False),
        sa.Column("number", sa.String(32), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("number_hash", name="pk_sms_numbers"),
    )
    with op.batch_alter_table("sms_outbound") as batch:
        batch.alter_column("recipient", existing_type=sa.String(20), nullable=True)
    bind = op.get_bind()
    bind.execute(
        sa.text("UPDATE sms_outbound SET recipient = NULL WHERE status IN :final").bindparams(
            sa.bindparam("final", expanding=True)
        ),
        {"final": list(_FINAL)},
    )
    tickets = bind.execute(
        sa.text(
            "SELECT id, conversation_id, open_conversation_id FROM handoff_tickets "
            "WHERE channel = 'sms' AND conversation_id NOT LIKE 'sms:%'"
        )
    ).all()
    numbers: dict[str, str] = {}
    for ticket_id, number, open_id in tickets:
        number_hash = hash_identifier(number)
        numbers[number_hash] = number
        bind.execute(
            sa.text(
                "UPDATE handoff_tickets SET conversation_id = :new, open_conversation_id = "
                ":open WHERE id = :id"
            ),
            {"new": f"sms:{number_hash}", "open": f"sms:{number_hash}" if open_id else None,
             "id": ticket_id},
        )
    bind.execute(sa.text(
        "UPDATE handoff_tickets SET conversation_id = 'web:' || conversation_id, "
        "open_conversation_id = CASE WHEN open_conversation_id IS NULL THEN NULL "
        "ELSE 'web:' || open_conversation_id END "
        "WHERE channel = 'web' AND conversation_id NOT LIKE 'web:%'"
    ))
    now = datetime.now(timezone.utc)
    for number_hash, number in numbers.items():
        bind.execute(
            sa.text(
                "INSERT INTO sms_numbers (number_hash, number, first_seen_at) "
                "VALUES (:hash, :number, :now)"
            ),
            {"hash": number_hash, "number": number, "now": now},
        )


def downgrade() -> None:
    bind = op.get_bind()
    bind.execute(
        sa.text(
            "UPDATE handoff_tickets SET conversation_id = (SELECT number FROM sms_numbers "
            "WHERE 'sms:' || sms_numbers.number_hash = handoff_tickets.conversation_id) "
            "WHERE conversation_id LIKE 'sms:%' AND EXISTS (SELECT 1 FROM sms_numbers WHERE "
            "'sms:' || sms_numbers.number_hash = handoff_tickets.conversation_id)"
        )
    )
    bind.execute(sa.text(
        "UPDATE handoff_tickets SET conversation_id = substr(conversation_id, 5) "
        "WHERE channel = 'web' AND conversation_id LIKE 'web:%'"
    ))
    bind.execute(
        sa.text(
            "UPDATE handoff_tickets SET open_conversation_id = conversation_id "
            "WHERE open_conversation_id IS NOT NULL"
        )
    )
    # Texts already sent have no number left: the old schema needs one.
    bind.execute(sa.text("UPDATE sms_outbound SET recipient = '' WHERE recipient IS NULL"))
    with op.batch_alter_table("sms_outbound") as batch:
        batch.alter_column("recipient", existing_type=sa.String(20), nullable=False)
    op.drop_table("sms_numbers")
