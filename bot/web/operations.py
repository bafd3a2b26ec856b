"""The queue's operations for a signed-in member of staff, shared by the pages and the API.

Each runs the domain function in one transaction, then publishes the resulting events on the
message bus (so the resident and every server's queue pages hear of it). Results are plain
dicts, ready for a template or for JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.clock import now as clock_now
from bot.content import Content
from bot.db.handoff import HandoffTicket, StaffAccount
from bot.services import handoff
from bot.services.handoff_notices import format_wait
from bot.services.handoff_queue import OPEN_STATUSES
from bot.services.message_bus import MessageBus
from bot.web import events
from bot.web.database import in_session


@dataclass(frozen=True)
class StaffUser:
    """The signed-in member of staff, as plain values."""

    id: int
    username: str
    role: str

    @property
    def is_supervisor(self) -> bool:
        return self.role == "supervisor"


@dataclass
class Queue:
    """Everything the operations need: the database, the bus, the content and the clock."""

    engine: Engine
    bus: MessageBus
    content: Content
    clock: Any = clock_now

    def now(self) -> datetime:
        return self.clock()


def ticket_summary(ticket: HandoffTicket, now: datetime) -> dict[str, Any]:
    """A ticket's queue row as plain values."""
    wait = (ticket.claimed_at or now) - ticket.created_at
    return {
        "id": ticket.id,
        "conversation_id": ticket.conversation_id,
        "channel": ticket.channel,
        "topic": ticket.topic,
        "reason": ticket.reason,
        "priority": ticket.priority,
        "status": ticket.status,
        "contact": ticket.contact,
        "created_at": ticket.created_at.isoformat(),
        "wait_seconds": int(wait.total_seconds()),
        "wait_text": format_wait(wait),
        "claimed_by": ticket.claimant.username if ticket.claimant else None,
        "claimed_by_id": ticket.claimed_by,
        "outcome": ticket.outcome,
    }


def ticket_detail(ticket: HandoffTicket, now: datetime) -> dict[str, Any]:
    """A ticket with its whole transcript (bot turns and detected intents included)."""
    detail = ticket_summary(ticket, now)
    detail["messages"] = [
        {
            "id": m.id,
            "author_kind": m.author_kind,
            "author": m.staff.username if m.staff else None,
            "text": m.text,
            "intent": m.intent,
            "created_at": m.created_at.isoformat(),
        }
        for m in ticket.messages
    ]
    return detail


def may_view(staff: StaffUser, ticket: HandoffTicket) -> bool:
    """Supervisors see every ticket; advisors see waiting tickets, their own, and closed
    (resolved or cancelled) ones, which are read-only: every change to them is refused."""
    return (
        staff.is_supervisor
        or ticket.status == "waiting"
        or ticket.claimed_by == staff.id
        or ticket.status not in OPEN_STATUSES
    )


def may_change(staff: StaffUser, ticket: HandoffTicket) -> bool:
    """Supervisors may note any ticket; advisors waiting tickets and their own."""
    return staff.is_supervisor or ticket.status == "waiting" or ticket.claimed_by == staff.id


async def list_queue(queue: Queue, staff: StaffUser) -> list[dict[str, Any]]:
    """Open tickets in queue order (advisors: waiting ones and their own claims)."""
    now = queue.now()

    def work(session: Session) -> list[dict[str, Any]]:
        mine = None if staff.is_supervisor else session.get(StaffAccount, staff.id)
        return [ticket_summary(t, now) for t in handoff.open_tickets(session, mine)]

    return await in_session(queue.engine, work)


async def view_ticket(queue: Queue, staff: StaffUser, ticket_id: int) -> dict[str, Any]:
    """One ticket with its transcript; the view is audited. Raises NotAllowed, TicketNotFound."""
    now = queue.now()

    def work(session: Session) -> dict[str, Any]:
        ticket = handoff.get_ticket(session, ticket_id)
        if not may_view(staff, ticket):
            raise handoff.NotAllowed("this ticket is another advisor's")
        handoff.audit(session, "view", now, staff.id, ticket_id)
        return ticket_detail(ticket, now)

    return await in_session(queue.engine, work)


async def list_staff(queue: Queue) -> list[dict[str, Any]]:
    """Active staff accounts (for reassigning)."""

    def work(session: Session) -> list[dict[str, Any]]:
        rows = session.execute(
            select(StaffAccount)
            .where(StaffAccount.active.is_(True))
            .order_by(StaffAccount.username)
        ).scalars()
        return [{"id": s.id, "username": s.username, "role": s.role} for s in rows]

    return await in_session(queue.engine, work)


async def claim(queue: Queue, staff: StaffUser, ticket_id: int) -> dict[str, Any]:
    """Claim a ticket; the resident hears that a person has joined. Raises AlreadyClaimed."""
    now = queue.now()
    ticket = await in_session(
        queue.engine, lambda s: ticket_summary(handoff.claim(s, ticket_id, staff.id, now), now)
    )
    await events.publish_to_resident(
        queue.bus,
        ticket["channel"],
        ticket["conversation_id"],
        "agent_joined",
        queue.content.text("handoff_agent_joined"),
    )
    await events.publish_queue_changed(queue.bus, "claim", ticket_id)
    await events.publish_positions(queue.bus, queue.engine, queue.content)
    return ticket


async def reply(queue: Queue, staff: StaffUser, ticket_id: int, text: str) -> dict[str, Any]:
    """Send a reply to the resident (recorded, then published to their channel)."""
    now = queue.now()

    def work(session: Session) -> tuple[dict[str, Any], str]:
        message = handoff.add_staff_reply(session, ticket_id, staff.id, text, now)
        return ticket_summary(message.ticket, now), message.text

    ticket, sent = await in_session(queue.engine, work)
    await events.publish_to_resident(
        queue.bus, ticket["channel"], ticket["conversation_id"], "staff_reply", sent
    )
    await events.publish_queue_changed(queue.bus, "reply", ticket_id)
    return ticket


async def note(queue: Queue, staff: StaffUser, ticket_id: int, text: str) -> dict[str, Any]:
    """Add an internal note (never sent to the resident)."""
    now = queue.now()

    def work(session: Session) -> dict[str, Any]:
        ticket = handoff.get_ticket(session, ticket_id)
        if not may_change(staff, ticket):
            raise handoff.NotAllowed("this ticket is another advisor's")
        return ticket_summary(handoff.add_note(session, ticket_id, staff.id, text, now).ticket, now)

    ticket = await in_session(queue.engine, work)
    await events.publish_queue_changed(queue.bus, "note", ticket_id)
    return ticket


async def resolve(queue: Queue, staff: StaffUser, ticket_id: int, outcome: str) -> dict[str, Any]:
    """Close the ticket with an outcome and hand the resident back to the assistant."""
    now = queue.now()
    ticket = await in_session(
        queue.engine,
        lambda s: ticket_summary(handoff.resolve(s, ticket_id, staff.id, outcome, now), now),
    )
    await events.publish_to_resident(
        queue.bus,
        ticket["channel"],
        ticket["conversation_id"],
        "handed_back",
        queue.content.text("handoff_handed_back"),
    )
    await events.publish_queue_changed(queue.bus, "resolve", ticket_id)
    return ticket


async def reassign(
    queue: Queue, staff: StaffUser, ticket_id: int, to_staff_id: int
) -> dict[str, Any]:
    """A supervisor gives the ticket to another member of staff."""
    now = queue.now()
    ticket = await in_session(
        queue.engine,
        lambda s: ticket_summary(handoff.reassign(s, ticket_id, staff.id, to_staff_id, now), now),
    )
    await events.publish_queue_changed(queue.bus, "reassign", ticket_id)
    return ticket
