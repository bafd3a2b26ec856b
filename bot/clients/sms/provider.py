"""The interface every SMS provider adapter offers, and what an inbound text looks like."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

# A validated text from a resident: provider, the provider's id, E.164 sender, body. The
# store keeps it as it arrived until it is processed, so the type is the store's.
from bot.db.sms import Inbound as InboundSms

__all__ = [
    "MAX_BODY_LENGTH",
    "InboundForbidden",
    "InboundRejected",
    "InboundSms",
    "SendResult",
    "SmsProvider",
]

MAX_BODY_LENGTH = 1600  # the most any provider joins into one inbound text


@dataclass(frozen=True)
class SendResult:
    """The outcome of one attempt to send a text.

    `permanent` marks a failure that retrying cannot fix (a refused number,
    bad credentials); other failures are retried with backoff.
    """

    ok: bool
    provider_message_id: str | None = None
    error: str | None = None
    permanent: bool = False


class InboundRejected(ValueError):
    """An inbound request that is malformed (answered 400)."""


class InboundForbidden(PermissionError):
    """An inbound request without a valid signature or token (answered 403)."""


class SmsProvider(Protocol):
    """Sends texts through one provider. `send` never raises: failures come back as results."""

    name: str
    # True when the stored row is the delivered text (the local outbox): the sender then
    # stores it with its final status in one write and does not call `send`.
    delivers_on_store: bool

    async def send(self, to: str, body: str, idempotency_key: str) -> SendResult:
        """Send `body` to the E.164 number `to`; `idempotency_key` identifies this text."""
        ...
