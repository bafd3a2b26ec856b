"""What the assistant says, and the ticket it opens, when its action server is down, too
slow or failing: plain values in and out (the Rasa glue is channels/action_failures.py).

Urgent messages still get their urgent answer (content/messages/urgent.yml), rendered here
without the action server; anything else gets a short apology with the council's number.
When the database is up, the conversation is handed to a person as `action_handoff` would
(a ticket with the transcript, reason "System down", urgent first in the queue for the
urgent labels), and the resident is told so and how to go back to the assistant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.content import Content, Message
from bot.council import Council
from bot.safety.labels import is_urgent, urgent_content_key
from bot.services.handoff import open_ticket
from bot.services.handoff_notices import handoff_notice
from bot.services.handoff_transcript import REASONS, topic_of, transcript
from bot.services.opening_hours import staff_available


@dataclass(frozen=True)
class Handover:
    """The ticket a failed turn opened (or found open) and what the resident is told of it."""

    ticket_id: int
    channel: str  # the ticket's channel: "web", "sms" or "rest"
    notice: str  # whether staff are in, the place in the queue, a typical wait
    staff_in: bool


def open_system_down_ticket(
    session: Session,
    conversation_id: str,
    channel: str,
    intent: str | None,
    events: list[dict[str, Any]],
    council: Council,
    content: Content,
    now: datetime,
) -> Handover:
    """Open the conversation's ticket (or return the one already open) for a turn the
    action server failed; `events` are the conversation's events as Rasa's JSON."""
    urgent = is_urgent(intent)
    topic = topic_of(events)
    reason = REASONS["system_down"] + (f": {topic}" if urgent else "")
    ticket = open_ticket(
        session,
        conversation_id,
        channel,
        topic,
        reason,
        "urgent" if urgent else None,
        transcript(events),
        now=now,
    )
    session.flush()
    notice = handoff_notice(session, council, content, ticket.id, now)
    return Handover(ticket.id, channel, notice, staff_available(council, now))


def system_down_messages(
    content: Content, intent: str | None, handover: Handover | None
) -> list[Message]:
    """The resident's reply for the failed turn: the urgent answer for an urgent intent,
    else an apology with the phone number; then, if handed over, what happens next."""
    messages: list[Message] = []
    if intent is not None and is_urgent(intent):
        messages.append(content.render(urgent_content_key(intent)))
    elif handover is None:
        messages.append(content.render("system_down_reply"))
    else:
        messages.append(content.render("system_down_handed_over"))
    if handover is None:
        return messages
    messages.append(Message(handover.notice))
    # As action_handoff says it: the web chat shows a reply later if it is still open; SMS
    # has its own wording; nothing reaches a REST caller later.
    if handover.channel == "rest":
        messages.append(content.render("handoff_contact_consent"))
    elif handover.channel == "web" and not handover.staff_in:
        messages.append(content.render("handoff_web_closed"))
    elif handover.channel == "web":
        messages.append(content.render("handoff_stay_here"))
    messages.append(content.render("handoff_how_to_cancel"))
    return messages
