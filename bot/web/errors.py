"""How the queue's refusals read to staff, and which HTTP status each gets."""

from __future__ import annotations

from bot.services import handoff

ERROR_STATUS: dict[type[Exception], int] = {
    handoff.TicketNotFound: 404,
    handoff.AlreadyClaimed: 409,
    handoff.TicketClosed: 409,
    handoff.NotAllowed: 403,
    handoff.InvalidHandoff: 400,
}

MESSAGES: dict[type[Exception], str] = {
    handoff.TicketNotFound: "There is no such ticket.",
    handoff.AlreadyClaimed: "Someone else has already claimed this ticket.",
    handoff.TicketClosed: "This ticket is closed.",
    handoff.NotAllowed: "You cannot do that to this ticket.",
}


def error_message(error: Exception) -> str:
    """Plain words for a refusal; validation errors keep their own (they say what to fix)."""
    if isinstance(error, handoff.InvalidHandoff):
        return str(error).capitalize() + "."
    return MESSAGES.get(type(error), "That did not work. Try again.")
