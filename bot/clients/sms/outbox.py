"""The local outbox provider: texts stay in the database for the simulator to show.

Every outbound text is stored by the sender before any provider sees it, so for
this provider storing a text is sending it: the sender stores it as sent (or
suppressed) at once, in one write. No network, no credentials.
"""

from __future__ import annotations

from bot.clients.sms.provider import SendResult


class OutboxProvider:
    """The embedded default provider for `make run` and tests."""

    name = "outbox"
    delivers_on_store = True

    async def send(self, to: str, body: str, idempotency_key: str) -> SendResult:
        """Accept the text at once: the stored row is the message (used for a text a
        stopped process left queued)."""
        return SendResult(ok=True, provider_message_id=f"outbox-{idempotency_key}"[:64])
