"""Reading the handoff queue: open tickets in order, a ticket's place, the typical wait."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.db.handoff import HandoffTicket, StaffAccount
from bot.services.handoff_errors import TicketNotFound

OPEN_STATUSES = ("waiting", "claimed")
TYPICAL_WAIT_WINDOW = timedelta(days=7)
TYPICAL_WAIT_SAMPLE = 50


def open_ticket_for(session: Session, conversation_id: str) -> HandoffTicket | None:
    """The conversation's open (waiting or claimed) ticket, if any."""
    return session.execute(
        select(HandoffTicket).where(HandoffTicket.open_conversation_id == conversation_id)
    ).scalar_one_or_none()


_TICKETS = HandoffTicket.__table__
_OPEN_TICKET_ID = select(_TICKETS.c.id).where(
    _TICKETS.c.open_conversation_id == bindparam("conversation")
)


def open_ticket_id(engine: Engine, conversation_id: str) -> int | None:
    """The id of the conversation's open ticket, if any. Asked before every resident
    message, so one statement built once, on a connection without an ORM session."""
    if not conversation_id:
        return None
    with engine.connect() as connection:
        found = connection.execute(_OPEN_TICKET_ID, {"conversation": conversation_id}).scalar()
    return None if found is None else int(found)


@dataclass(frozen=True)
class LatestTicket:
    """The newest ticket of a conversation: its id and whether it is still open."""

    id: int
    open: bool


_LATEST_TICKET = (
    select(_TICKETS.c.id, _TICKETS.c.status)
    .where(_TICKETS.c.conversation_id == bindparam("conversation"))
    .order_by(_TICKETS.c.id.desc())
    .limit(1)
)


def latest_ticket(engine: Engine, conversation_id: str) -> LatestTicket | None:
    """The conversation's newest ticket, open or closed; None if it never had one.
    Asked before every resident message (one indexed statement, built once)."""
    if not conversation_id:
        return None
    with engine.connect() as connection:
        found = connection.execute(_LATEST_TICKET, {"conversation": conversation_id}).first()
    if found is None:
        return None
    return LatestTicket(int(found.id), found.status in OPEN_STATUSES)


def get_ticket(session: Session, ticket_id: int) -> HandoffTicket:
    """The ticket with that id; raises TicketNotFound."""
    ticket = session.get(HandoffTicket, ticket_id)
    if ticket is None:
        raise TicketNotFound(f"no ticket {ticket_id}")
    return ticket


def waiting_tickets(session: Session) -> list[HandoffTicket]:
    """Unclaimed tickets in queue order: priority, then longest wait first."""
    return list(
        session.execute(
            select(HandoffTicket)
            .where(HandoffTicket.status == "waiting")
            .order_by(HandoffTicket.priority_rank, HandoffTicket.created_at, HandoffTicket.id)
        ).scalars()
    )


def open_tickets(session: Session, staff: StaffAccount | None = None) -> list[HandoffTicket]:
    """Open tickets in queue order; with `staff`, only the waiting ones and their own claims."""
    query = select(HandoffTicket).where(HandoffTicket.status.in_(OPEN_STATUSES))
    if staff is not None:
        query = query.where(
            or_(HandoffTicket.status == "waiting", HandoffTicket.claimed_by == staff.id)
        )
    query = query.order_by(HandoffTicket.priority_rank, HandoffTicket.created_at, HandoffTicket.id)
    return list(session.execute(query).scalars())


def queue_position(session: Session, ticket_id: int) -> int:
    """1 for the next ticket to be claimed; 0 when the ticket no longer waits."""
    ticket = get_ticket(session, ticket_id)
    if ticket.status != "waiting":
        return 0
    ahead = session.execute(
        select(func.count(HandoffTicket.id)).where(
            HandoffTicket.status == "waiting",
            or_(
                HandoffTicket.priority_rank < ticket.priority_rank,
                and_(
                    HandoffTicket.priority_rank == ticket.priority_rank,
                    or_(
                        HandoffTicket.created_at < ticket.created_at,
                        and_(
                            HandoffTicket.created_at == ticket.created_at,
                            HandoffTicket.id < ticket.id,
                        ),
                    ),
                ),
            ),
        )
    ).scalar_one()
    return int(ahead) + 1


def typical_wait(session: Session, now: datetime) -> timedelta | None:
    """The median wait before a claim over the last week's recent claims; None without data."""
    rows = session.execute(
        select(HandoffTicket.created_at, HandoffTicket.claimed_at)
        .where(
            HandoffTicket.claimed_at.is_not(None),
            HandoffTicket.claimed_at >= now - TYPICAL_WAIT_WINDOW,
        )
        .order_by(HandoffTicket.claimed_at.desc())
        .limit(TYPICAL_WAIT_SAMPLE)
    ).all()
    waits = [(claimed - created).total_seconds() for created, claimed in rows]
    if not waits:
        return None
    return timedelta(seconds=round(statistics.median(waits)))
