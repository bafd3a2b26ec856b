"""The local outbox provider: texts stay in the database for the simulator to show.

Every outbound text is stored by the sender before any provider sees it, so
"sending" here only marks it delivered; no network, no credentials.
"""

from __future__ import annotations

from channels.sms.provider import SendResult


class OutboxProvider:
    """The embedded default provider for `make run` and tests."""

    name = "outbox"

    async def send(self, to: str, body: str, idempotency_key: str) -> SendResult:
        """Accept the text at once: the stored row is the message."""
        return SendResult(ok=True, provider_message_id=f"outbox-{idempotency_key}"[:64])
