"""A handed-over resident says something urgent: their ticket goes to the top of the queue.

The ticket was opened at normal priority (they asked for a person, say); what they tell the
advisor while waiting can still show risk ("I have nowhere to sleep tonight"). The channel
shows them the emergency help at once; this raises the ticket so staff see it first.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.db.handoff import PRIORITIES, HandoffTicket
from bot.safety.labels import is_urgent
from bot.services.handoff import InvalidHandoff, audit, open_ticket_for

URGENT_PRIORITY = "urgent"


def raise_to_urgent(
    session: Session, conversation_id: str, label: str, now: datetime
) -> HandoffTicket | None:
    """Make the conversation's open ticket urgent because the resident's message was read
    as the urgent label `label`; audited as "urgent" with the label.

    Returns the ticket when its priority changed; None when it has no open ticket or the
    ticket was urgent already. Raises InvalidHandoff for a label that is not urgent.
    """
    if not is_urgent(label):
        raise InvalidHandoff(f"{label!r} is not an urgent label")
    ticket = open_ticket_for(session, conversation_id)
    if ticket is None or ticket.priority == URGENT_PRIORITY:
        return None
    ticket.priority = URGENT_PRIORITY
    ticket.priority_rank = PRIORITIES[URGENT_PRIORITY]
    audit(session, "urgent", now, None, ticket.id, f"resident said: {label}")
    session.flush()
    return ticket
