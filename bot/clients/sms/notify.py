"""GOV.UK Notify adapter: bearer-token callbacks in, the official client out."""

from __future__ import annotations

import asyncio
import hmac
import re
from collections.abc import Mapping
from typing import Any

from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

from bot.clients.sms.numbers import normalise_number
from bot.clients.sms.provider import (
    MAX_BODY_LENGTH,
    InboundForbidden,
    InboundRejected,
    InboundSms,
    SendResult,
)
from bot.db.text import plain_text

_NOTIFY_ID = re.compile(r"^[0-9a-fA-F-]{36}$")


def parse_notify_inbound(authorization: str | None, payload: Any, inbound_token: str) -> InboundSms:
    """Check the callback's `Authorization: Bearer <token>` and read the received text.

    Raises InboundForbidden for a missing or wrong token, InboundRejected for bad JSON.
    """
    expected = f"Bearer {inbound_token}"
    if not inbound_token or not authorization or len(authorization) > 512:
        raise InboundForbidden("missing bearer token")
    if not hmac.compare_digest(authorization.encode(), expected.encode()):
        raise InboundForbidden("wrong bearer token")
    if not isinstance(payload, Mapping):
        raise InboundRejected("the callback must be a JSON object")
    message_id, source, body = (payload.get(k) for k in ("id", "source_number", "message"))
    if not isinstance(message_id, str) or not _NOTIFY_ID.match(message_id):
        raise InboundRejected("id is missing or malformed")
    sender = normalise_number(source)
    if sender is None:
        raise InboundRejected("source_number is not a phone number")
    if not isinstance(body, str) or len(body) > MAX_BODY_LENGTH:
        raise InboundRejected("message is missing or too long")
    return InboundSms(
        provider="notify", message_id=message_id.lower(), sender=sender, body=plain_text(body)
    )


class NotifyProvider:
    """Sends through GOV.UK Notify with a template whose whole content is ((body))."""

    name = "notify"
    delivers_on_store = False

    def __init__(
        self,
        api_key: str,
        template_id: str,
        base_url: str = "https://api.notifications.service.gov.uk",
        timeout_seconds: float = 10.0,
    ) -> None:
        if len(api_key) < 74 or not _NOTIFY_ID.match(template_id or ""):
            raise ValueError("Notify needs an API key and an SMS template id")
        self._api_key = api_key
        self._template_id = template_id
        self._base_url = base_url
        self._timeout = timeout_seconds

    def _send_blocking(self, to: str, body: str, reference: str) -> dict[str, Any]:
        # The official client is synchronous and not thread-safe: one per call.
        client = NotificationsAPIClient(
            self._api_key, base_url=self._base_url, timeout=self._timeout
        )
        return client.send_sms_notification(
            phone_number=to,
            template_id=self._template_id,
            personalisation={"body": body},
            reference=reference,
        )

    async def send(self, to: str, body: str, idempotency_key: str) -> SendResult:
        """Send in a worker thread; 400 and 403 are permanent, 429 and 5xx are retried."""
        try:
            response = await asyncio.to_thread(self._send_blocking, to, body, idempotency_key)
        except APIError as error:
            permanent = error.status_code in (400, 403)
            return SendResult(ok=False, error=str(error)[:300], permanent=permanent)
        except Exception as error:  # the client can raise from requests or JSON decoding
            return SendResult(ok=False, error=f"{type(error).__name__}: {error}"[:300])
        return SendResult(ok=True, provider_message_id=str((response or {}).get("id", "")))
