"""The staff handoff queue as plain functions over a database session (no Rasa, no web).

Tickets wait in priority order (urgent before normal), then by how long they have waited.
One advisor claims a ticket (an atomic conditional UPDATE, so two can never both win),
replies, notes and resolves it; supervisors may act on any ticket and reassign it.
Every staff action writes an audit entry in the same transaction as the change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.handoff import (
    OUTCOMES,
    PRIORITIES,
    AuditEntry,
    HandoffTicket,
    StaffAccount,
    TicketMessage,
)
from bot.safety.labels import URGENT
from bot.services.handoff_errors import (
    AlreadyClaimed,
    HandoffError,
    InvalidHandoff,
    NotAllowed,
    TicketClosed,
    TicketNotFound,
)
from bot.services.handoff_queue import (
    OPEN_STATUSES,
    get_ticket,
    open_ticket_for,
    open_tickets,
    queue_position,
    typical_wait,
    waiting_tickets,
)
from bot.services.opening_hours import staff_available

__all__ = [
    "AlreadyClaimed",
    "HandoffError",
    "InvalidHandoff",
    "NotAllowed",
    "TicketClosed",
    "TicketNotFound",
    "TranscriptTurn",
    "add_note",
    "add_resident_message",
    "add_staff_reply",
    "audit",
    "cancel_by_resident",
    "claim",
    "get_ticket",
    "open_ticket",
    "open_ticket_for",
    "open_tickets",
    "priority_for_topic",
    "queue_position",
    "reassign",
    "resolve",
    "staff_available",
    "typical_wait",
    "waiting_tickets",
]

MAX_TEXT = 2000
MAX_TRANSCRIPT_TURNS = 500
URGENT_TOPICS = URGENT | {"safeguarding"}


@dataclass(frozen=True)
class TranscriptTurn:
    """One turn of the conversation before handoff: who spoke, what, and the detected intent."""

    author: str  # "resident" or "bot"
    text: str
    intent: str | None = None
    at: datetime | None = None


def _clean(text: str, what: str, limit: int = MAX_TEXT) -> str:
    cleaned = (text or "").strip()
    if not cleaned:
        raise InvalidHandoff(f"{what} is empty")
    if len(cleaned) > limit:
        raise InvalidHandoff(f"{what} is longer than {limit} characters")
    return cleaned


def _aware(now: datetime) -> datetime:
    if now.tzinfo is None:
        raise InvalidHandoff("times must be timezone-aware")
    return now


def priority_for_topic(topic: str) -> str:
    """'urgent' for the urgent labels (bot/safety/labels.py), else 'normal'."""
    return "urgent" if topic in URGENT_TOPICS else "normal"


def audit(
    session: Session,
    action: str,
    now: datetime,
    staff_id: int | None = None,
    ticket_id: int | None = None,
    detail: str = "",
) -> AuditEntry:
    """Add an audit entry (committed with the caller's transaction)."""
    entry = AuditEntry(
        at=_aware(now), staff_id=staff_id, ticket_id=ticket_id, action=action, detail=detail[:500]
    )
    session.add(entry)
    return entry


def open_ticket(
    session: Session,
    conversation_id: str,
    channel: str,
    topic: str,
    reason: str,
    priority: str | None,
    transcript: Sequence[TranscriptTurn],
    contact: str | None = None,
    now: datetime | None = None,
) -> HandoffTicket:
    """Open a ticket with the transcript so far; returns the existing one if already open.

    `priority` None means: from the topic (urgent for homelessness and safeguarding).
    """
    if now is None:
        raise InvalidHandoff("now is required")
    _aware(now)
    conversation_id = _clean(conversation_id, "conversation id", 128)
    existing = open_ticket_for(session, conversation_id)
    if existing is not None:
        return existing
    priority = priority or priority_for_topic(topic)
    if priority not in PRIORITIES:
        raise InvalidHandoff(f"priority must be one of {', '.join(PRIORITIES)}")
    if len(transcript) > MAX_TRANSCRIPT_TURNS:
        transcript = transcript[-MAX_TRANSCRIPT_TURNS:]
    ticket = HandoffTicket(
        conversation_id=conversation_id,
        open_conversation_id=conversation_id,
        channel=_clean(channel, "channel", 32),
        topic=_clean(topic, "topic", 64),
        reason=_clean(reason, "reason", 200),
        priority=priority,
        priority_rank=PRIORITIES[priority],
        status="waiting",
        contact=contact.strip()[:200] if contact else None,
        created_at=now,
    )
    for turn in transcript:
        if turn.author not in ("resident", "bot"):
            raise InvalidHandoff("transcript turns are by the resident or the bot")
        ticket.messages.append(
            TicketMessage(
                author_kind=turn.author,
                text=(turn.text or "")[:MAX_TEXT] or "(no text)",
                intent=(turn.intent or None) and turn.intent[:64],
                created_at=turn.at or now,
            )
        )
    # A savepoint, so a concurrent open of the same conversation returns the winner's ticket.
    try:
        with session.begin_nested():
            session.add(ticket)
    except IntegrityError:
        winner = open_ticket_for(session, conversation_id)
        if winner is None:
            raise
        return winner
    return ticket


def claim(session: Session, ticket_id: int, staff_id: int, now: datetime) -> HandoffTicket:
    """Claim a waiting ticket for `staff_id`; raises AlreadyClaimed if someone won first."""
    result = session.execute(
        update(HandoffTicket)
        .where(
            HandoffTicket.id == ticket_id,
            HandoffTicket.claimed_by.is_(None),
            HandoffTicket.status == "waiting",
        )
        .values(claimed_by=staff_id, claimed_at=_aware(now), status="claimed")
        .execution_options(synchronize_session=False)
    )
    ticket = get_ticket(session, ticket_id)
    if result.rowcount != 1:
        if ticket.status in ("resolved", "cancelled"):
            raise TicketClosed(f"ticket {ticket_id} is {ticket.status}")
        raise AlreadyClaimed(f"ticket {ticket_id} is already claimed")
    session.refresh(ticket)
    audit(session, "claim", now, staff_id, ticket_id)
    return ticket


def _staff(session: Session, staff_id: int) -> StaffAccount:
    staff = session.get(StaffAccount, staff_id)
    if staff is None or not staff.active:
        raise NotAllowed("no such active member of staff")
    return staff


def _handling(
    session: Session, ticket_id: int, staff_id: int
) -> tuple[HandoffTicket, StaffAccount]:
    """The ticket, if open and claimed by this staff member (or they supervise)."""
    ticket = get_ticket(session, ticket_id)
    staff = _staff(session, staff_id)
    if ticket.status not in OPEN_STATUSES:
        raise TicketClosed(f"ticket {ticket_id} is {ticket.status}")
    if ticket.claimed_by != staff_id and not staff.is_supervisor:
        raise NotAllowed("claim the ticket before acting on it")
    return ticket, staff


def add_resident_message(
    session: Session, conversation_id: str, text: str, now: datetime, intent: str | None = None
) -> TicketMessage | None:
    """Record a resident's message on their open ticket; None when they have no open ticket."""
    ticket = open_ticket_for(session, conversation_id)
    if ticket is None:
        return None
    message = TicketMessage(
        author_kind="resident",
        text=_clean(text, "message"),
        intent=intent[:64] if intent else None,
        created_at=_aware(now),
    )
    ticket.messages.append(message)
    session.flush()
    return message


def add_staff_reply(
    session: Session, ticket_id: int, staff_id: int, text: str, now: datetime
) -> TicketMessage:
    """Record a staff reply to the resident (the caller publishes it on the bus)."""
    ticket, _ = _handling(session, ticket_id, staff_id)
    message = TicketMessage(
        author_kind="staff", staff_id=staff_id, text=_clean(text, "reply"), created_at=_aware(now)
    )
    ticket.messages.append(message)
    audit(session, "reply", now, staff_id, ticket_id)
    session.flush()
    return message


def add_note(
    session: Session, ticket_id: int, staff_id: int, text: str, now: datetime
) -> TicketMessage:
    """Add an internal note (never sent to the resident); any member of staff may add one."""
    ticket = get_ticket(session, ticket_id)
    _staff(session, staff_id)
    message = TicketMessage(
        author_kind="note", staff_id=staff_id, text=_clean(text, "note"), created_at=_aware(now)
    )
    ticket.messages.append(message)
    audit(session, "note", now, staff_id, ticket_id)
    session.flush()
    return message


def _close(ticket: HandoffTicket, status: str, now: datetime) -> None:
    ticket.status = status
    ticket.open_conversation_id = None
    ticket.closed_at = now


def resolve(
    session: Session, ticket_id: int, staff_id: int, outcome: str, now: datetime
) -> HandoffTicket:
    """Close a ticket with an outcome (answered, transferred, no_response): back to the bot."""
    if outcome not in OUTCOMES:
        raise InvalidHandoff(f"outcome must be one of {', '.join(OUTCOMES)}")
    ticket, _ = _handling(session, ticket_id, staff_id)
    _close(ticket, "resolved", _aware(now))
    ticket.outcome = outcome
    ticket.messages.append(
        TicketMessage(author_kind="event", staff_id=staff_id, text="handed_back", created_at=now)
    )
    audit(session, "resolve", now, staff_id, ticket_id, outcome)
    session.flush()
    return ticket


def reassign(
    session: Session, ticket_id: int, supervisor_id: int, to_staff_id: int, now: datetime
) -> HandoffTicket:
    """A supervisor gives an open ticket to another active member of staff."""
    supervisor = _staff(session, supervisor_id)
    if not supervisor.is_supervisor:
        raise NotAllowed("only supervisors can reassign tickets")
    target = _staff(session, to_staff_id)
    ticket = get_ticket(session, ticket_id)
    if ticket.status not in OPEN_STATUSES:
        raise TicketClosed(f"ticket {ticket_id} is {ticket.status}")
    previous = ticket.claimed_by
    ticket.claimed_by = target.id
    ticket.claimed_at = ticket.claimed_at or _aware(now)
    ticket.status = "claimed"
    audit(session, "reassign", now, supervisor_id, ticket_id, f"from={previous} to={target.id}")
    session.flush()
    session.expire(ticket, ["claimant"])
    return ticket


def cancel_by_resident(
    session: Session, conversation_id: str, now: datetime
) -> HandoffTicket | None:
    """The resident no longer wants a person: close their open ticket (None if there was none)."""
    ticket = open_ticket_for(session, conversation_id)
    if ticket is None:
        return None
    _close(ticket, "cancelled", _aware(now))
    audit(session, "cancel_by_resident", now, None, ticket.id)
    session.flush()
    return ticket
