"""Twilio-compatible adapter: signed form-encoded webhooks in, REST API out."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence

import aiohttp
from twilio.request_validator import RequestValidator

from bot.clients.sms.numbers import normalise_number
from bot.clients.sms.provider import (
    MAX_BODY_LENGTH,
    InboundForbidden,
    InboundRejected,
    InboundSms,
    SendResult,
)
from bot.db.text import plain_text

logger = logging.getLogger(__name__)

_MESSAGE_SID = re.compile(r"^(SM|MM)[0-9a-fA-F]{32}$")
_ACCOUNT_SID = re.compile(r"^AC[0-9a-fA-F]{32}$")


class _FormValues(dict):
    """Field -> values, as Twilio's RequestValidator reads a multi-valued form."""

    def getall(self, name: str) -> list[str]:
        return list(self[name])


def parse_twilio_inbound(
    public_url: str,
    form: Mapping[str, Sequence[str]],
    signature: str | None,
    auth_token: str,
    account_sid: str,
) -> InboundSms:
    """Check the X-Twilio-Signature of a webhook made to `public_url` and read the text.

    `form` maps each field to its values. Raises InboundForbidden for a missing or
    wrong signature (or another account's message), InboundRejected for a bad field.
    """
    if not auth_token or not signature or len(signature) > 128:
        raise InboundForbidden("missing signature")
    if not RequestValidator(auth_token).validate(public_url, _FormValues(form), signature):
        raise InboundForbidden("signature does not match")

    def field(name: str) -> str:
        values = form.get(name) or [""]
        return values[0] if len(values) == 1 else ""

    if account_sid and field("AccountSid") != account_sid:
        raise InboundForbidden("message for another account")
    message_id = field("MessageSid") or field("SmsSid")
    if not _MESSAGE_SID.match(message_id):
        raise InboundRejected("MessageSid is missing or malformed")
    sender = normalise_number(field("From"))
    if sender is None:
        raise InboundRejected("From is not a phone number")
    body = plain_text(field("Body"))
    if len(body) > MAX_BODY_LENGTH:
        raise InboundRejected("Body is too long")
    return InboundSms(provider="twilio", message_id=message_id, sender=sender, body=body)


class TwilioProvider:
    """Sends through Twilio's Messages REST API (or any server that speaks it)."""

    name = "twilio"
    delivers_on_store = False

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        from_number: str,
        api_base_url: str = "https://api.twilio.com",
        timeout_seconds: float = 10.0,
    ) -> None:
        if not _ACCOUNT_SID.match(account_sid) or not auth_token or not from_number:
            raise ValueError("Twilio needs an account SID (AC...), an auth token and a number")
        self._account_sid = account_sid
        self._auth_token = auth_token
        self._from = from_number
        self._url = f"{api_base_url.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Messages.json"
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)

    async def send(self, to: str, body: str, idempotency_key: str) -> SendResult:
        """POST the text; 4xx other than 429 is a permanent failure, the rest are retried."""
        data = {"To": to, "From": self._from, "Body": body}
        headers = {"I-Twilio-Idempotency-Token": idempotency_key[:64]}
        try:
            async with (
                aiohttp.ClientSession(timeout=self._timeout) as session,
                session.post(
                    self._url,
                    data=data,
                    headers=headers,
                    auth=aiohttp.BasicAuth(self._account_sid, self._auth_token),
                ) as response,
            ):
                text = await response.text()
                if response.status in (200, 201):
                    payload = await response.json(content_type=None)
                    return SendResult(ok=True, provider_message_id=str(payload.get("sid", "")))
                permanent = 400 <= response.status < 500 and response.status != 429
                return SendResult(
                    ok=False, error=f"HTTP {response.status}: {text[:300]}", permanent=permanent
                )
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            return SendResult(ok=False, error=f"{type(error).__name__}: {error}"[:300])
