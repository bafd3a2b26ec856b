"""Which ticket event a bus message is, so every server names it the same way.

The staff app publishes {"conversation_id", "kind", "text"} for the resident. Several Rasa
servers hear it; each turns it into the same delivery key (from the ticket and its
message ids in the database), so a text is sent and recorded once however many hear it.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.handoff import HandoffTicket, TicketMessage

KINDS = ("staff_reply", "agent_joined", "handed_back", "queue_update")


def latest_ticket(session: Session, conversation_id: str) -> HandoffTicket | None:
    """The conversation's most recent ticket (open or just closed), or None."""
    return session.execute(
        select(HandoffTicket)
        .where(HandoffTicket.conversation_id == conversation_id)
        .order_by(HandoffTicket.created_at.desc(), HandoffTicket.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def delivery_key(session: Session, conversation_id: str, kind: str, text: str) -> str | None:
    """The delivery key of one event: 'reply:<message id>', 'joined:<ticket id>' ...

    None when the conversation has no ticket or the event names nothing in it.
    """
    ticket = latest_ticket(session, conversation_id)
    if ticket is None or kind not in KINDS:
        return None
    if kind == "agent_joined":
        return f"joined:{ticket.id}:{ticket.claimed_by}"
    if kind == "handed_back":
        return f"back:{ticket.id}"
    if kind == "queue_update":
        return f"queue:{ticket.id}:{text[:40]}"
    message_id = session.execute(
        select(TicketMessage.id)
        .where(
            TicketMessage.ticket_id == ticket.id,
            TicketMessage.author_kind == "staff",
            TicketMessage.text == text,
        )
        .order_by(TicketMessage.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return None if message_id is None else f"reply:{message_id}"
