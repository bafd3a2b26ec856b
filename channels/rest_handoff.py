"""Rasa's REST channel, with handed-over conversations routed to the staff ticket.

Same URL (/webhooks/rest/webhook) and behaviour as the built-in `rest` channel; while the
conversation has an open ticket, messages go to it and "cancel" returns to the assistant
(channels/handoff_relay.py). Replies from staff are written to the conversation's tracker.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint

from channels import handoff_relay


class RestWithHandoffInput(RestInput):
    """The REST channel (name 'rest'), handing messages on handed-over conversations to staff."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Rasa's REST routes around the handoff-aware message handler."""
        return super().blueprint(handoff_relay.inbound(on_new_message))
