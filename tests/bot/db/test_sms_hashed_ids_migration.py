"""Migration 0007: tickets of SMS conversations kept under the raw number move to
`sms:<keyed hash>`, the number goes to `sms_numbers` (so staff replies still reach it),
web chat tickets move to `web:<session>`, and texts already sent lose their number;
downgrading puts the ids back."""

from __future__ import annotations

from datetime import datetime, timezone

from alembic import command
from sqlalchemy import text

from bot.db.migrate import alembic_config
from bot.db.session import make_engine
from bot.privacy import hash_identifier

NUMBER = "+447700900555"
AT = datetime(2026, 11, 2, 10, 0, tzinfo=timezone.utc)


def _ticket(
    connection,
    conversation: str,
    channel: str,  # type: ignore[no-untyped-def]
    open_: bool,
) -> None:
    connection.execute(
        text(
            "INSERT INTO handoff_tickets (conversation_id, open_conversation_id, channel, topic, "
            "reason, priority, priority_rank, status, created_at) VALUES (:c, :o, :ch, 'general', "
            "'asked', 'normal', 2, :s, :at)"
        ),
        {
            "c": conversation,
            "o": conversation if open_ else None,
            "ch": channel,
            "s": "waiting" if open_ else "closed",
            "at": AT,
        },
    )


def _outbound(connection, key: str, status: str) -> None:  # type: ignore[no-untyped-def]
    connection.execute(
        text(
            "INSERT INTO sms_outbound (idempotency_key, provider, recipient, recipient_hash, body, "
            "status, attempts, created_at, updated_at) VALUES (:k, 'twilio', :r, :h, 'hi', :s, 0, "
            ":at, :at)"
        ),
        {"k": key, "r": NUMBER, "h": hash_identifier(NUMBER), "s": status, "at": AT},
    )


def test_existing_sms_tickets_move_to_the_hashed_id_and_sent_texts_lose_the_number(
    database_url: str,
) -> None:
    config = alembic_config(database_url)
    command.upgrade(config, "0006_sms_inbound_recovery")
    command.upgrade(config, "0003_handoff")
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            _ticket(connection, NUMBER, "sms", open_=False)
            _ticket(connection, NUMBER, "sms", open_=True)
            _ticket(connection, "web-1", "web", open_=True)
            _outbound(connection, "sent-1", "sent")
            _outbound(connection, "queued-1", "queued")
        command.upgrade(config, "heads")
        hashed = f"sms:{hash_identifier(NUMBER)}"
        with engine.connect() as connection:
            tickets = connection.execute(
                text(
                    "SELECT conversation_id, open_conversation_id FROM handoff_tickets ORDER BY id"
                )
            ).all()
            assert [tuple(t) for t in tickets] == [
                (hashed, None),
                (hashed, hashed),
                ("web:web-1", "web:web-1"),
            ]
            assert connection.execute(
                text("SELECT number_hash, number FROM sms_numbers")
            ).all() == [(hash_identifier(NUMBER), NUMBER)]
            recipients = dict(
                connection.execute(
                    text("SELECT idempotency_key, recipient FROM sms_outbound")
                ).all()
            )
            assert recipients == {"sent-1": None, "queued-1": NUMBER}
        command.downgrade(config, "0006_sms_inbound_recovery")
        with engine.connect() as connection:
            tickets = connection.execute(
                text(
                    "SELECT conversation_id, open_conversation_id FROM handoff_tickets ORDER BY id"
                )
            ).all()
            assert [tuple(t) for t in tickets] == [
                (NUMBER, None),
                (NUMBER, NUMBER),
                ("web-1", "web-1"),
            ]
    finally:
        engine.dispose()
