"""Rasa's REST channel for demos and tests, with handed-over conversations routed to staff.

Same URL (/webhooks/rest/webhook) and replies as the built-in `rest` channel, with three
differences that keep one channel out of another's conversations:
- the caller's `sender` is only a name inside the REST channel: the conversation id is
  `rest:<sender>`, so a REST caller can never write into an SMS or web conversation;
- `input_channel` is always `rest`, whatever the request says;
- the text is bounded (channels/message_bounds.py) before anything reads it.
While the conversation has an open ticket, messages go to it and "cancel" returns to the
assistant (channels/handoff_relay.py). Production refuses to start with this channel on.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint
from sanic.request import Request

from channels import handoff_relay
from channels.client_key import METADATA_KEY, client_key
from channels.message_bounds import bounded
from channels.request_limits import limit_request_size
from channels.startup_checks import start_rasa_server

PREFIX = "rest:"
MAX_SENDER_CHARS = 64
DEFAULT_SENDER = "default"


def rest_conversation_id(sender: object) -> str:
    """The conversation id of a REST caller's `sender` (anything else is the default)."""
    name = sender if isinstance(sender, str) and sender.strip() else DEFAULT_SENDER
    name = name.strip()[:MAX_SENDER_CHARS]
    return name if name.startswith(PREFIX) else PREFIX + name


class RestWithHandoffInput(RestInput):
    """The REST channel (name 'rest'), handing messages on handed-over conversations to staff."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> RestWithHandoffInput:
        start_rasa_server()
        return cls()

    async def _extract_sender(self, req: Request) -> str:
        body = req.json if isinstance(req.json, dict) else {}
        return rest_conversation_id(body.get("sender"))

    def _extract_message(self, req: Request) -> str | None:
        body = req.json if isinstance(req.json, dict) else {}
        message = body.get("message")
        return message if isinstance(message, str) else None

    def _extract_input_channel(self, req: Request) -> str:
        return self.name()

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        # Only what the server knows: callers cannot plant metadata in the tracker.
        return {METADATA_KEY: client_key(request)}

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Rasa's REST routes around the bounded, handoff-aware message handler."""
        blueprint = super().blueprint(bounded(handoff_relay.inbound(on_new_message)))
        limit_request_size(blueprint)
        return blueprint
