"""What can go wrong with the handoff queue: one exception per refusal."""

from __future__ import annotations


class HandoffError(Exception):
    """Base for queue errors."""


class TicketNotFound(HandoffError):
    """No ticket has that id."""


class AlreadyClaimed(HandoffError):
    """Someone else claimed the ticket first."""


class TicketClosed(HandoffError):
    """The ticket is resolved or cancelled."""


class NotAllowed(HandoffError):
    """This member of staff may not do that to this ticket."""


class InvalidHandoff(HandoffError, ValueError):
    """A value is missing, too long or not one of the allowed ones."""
