"""`SmsInput`: the Rasa input channel for texts, mounted at /webhooks/sms/.

Routes: `twilio` and `notify` (providers' inbound webhooks: a bad signature
or token is refused with 403 before anything else), and, with the local
outbox provider only, `simulator` (a phone-like page to text the assistant
from a made-up number) with `simulator/outbox` (the replies, for polling).
Every webhook answers at once; the text is processed in the background.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.engine import Engine

from bot.clients.sms.notify import parse_notify_inbound
from bot.clients.sms.provider import InboundForbidden, InboundRejected, SmsProvider
from bot.clients.sms.registry import build_provider
from bot.clients.sms.sender import SmsSender
from bot.clients.sms.twilio import parse_twilio_inbound
from bot.db.session import get_engine
from bot.privacy import hash_identifier
from bot.settings import Settings, get_settings
from channels import handoff_relay
from channels.message_bounds import bounded
from channels.request_limits import limit_request_size
from channels.sms import simulator
from channels.sms.conversations import SmsConversations
from channels.sms.output import SmsOutput
from channels.sms.rate_limit import RateLimiter
from channels.startup_checks import start_rasa_server
from rasa_patches.collector import add_server_listeners

logger = logging.getLogger(__name__)

MAX_REQUEST_BYTES = 16_384
RETRY_SWEEP_SECONDS = 60.0
# A text accepted this long ago and still not processed was left by a stopped process
# (a live one answers in well under a second, and in seconds when overloaded).
RECOVER_AFTER = timedelta(minutes=5)
_EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


class ConflictingSmsProvider(ValueError):
    """credentials.yml names a provider other than SMS_PROVIDER."""


def provider_from(credentials: dict[str, Any] | None, settings: Settings) -> str:
    """The SMS provider: SMS_PROVIDER. An older credentials.yml may still name one; it must
    agree, or the server stops (a council setting only one of them sent no texts)."""
    named = (credentials or {}).get("provider")
    if named and named != settings.sms_provider:
        raise ConflictingSmsProvider(
            f"credentials.yml names the SMS provider {named!r} but SMS_PROVIDER is "
            f"{settings.sms_provider!r}: set SMS_PROVIDER and remove `provider` from "
            "credentials.yml."
        )
    return settings.sms_provider


class SmsInput(InputChannel):
    """One SMS channel whatever the provider; SMS_PROVIDER names the provider (the
    reminders' cron job reads the same setting, so there is one place to set it)."""

    @classmethod
    def name(cls) -> str:
        return "sms"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        start_rasa_server()
        settings = get_settings()
        return cls(provider_from(credentials, settings), settings)

    def __init__(
        self,
        provider: str = "outbox",
        settings: Settings | None = None,
        sms_provider: SmsProvider | None = None,
        hasher: Callable[[str], str] = hash_identifier,
        engine: Engine | None = None,
    ) -> None:
        self.settings = settings or get_settings()
        self.provider_name = provider
        self.engine = engine or get_engine(self.settings.database_url)
        self.hasher = hasher
        self.sender = SmsSender(
            self.engine,
            sms_provider or build_provider(provider, self.settings),
            hasher,
            attempts=self.settings.sms_send_attempts,
            base_delay_seconds=self.settings.sms_retry_base_seconds,
        )
        self.conversations: SmsConversations | None = None

    def get_output_channel(self) -> OutputChannel:
        """Sends at once: for messages pushed to a number outside its own turn."""
        return SmsOutput(self.sender)

    def _public_url(self, request: Request) -> str:
        base = self.settings.sms_public_base_url.rstrip("/")
        if not base:
            return request.url
        query = f"?{request.query_string}" if request.query_string else ""
        return f"{base}{request.path}{query}"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The routes; texts go to `on_new_message` in the background, in order per number."""
        # Bounded first (no overlong text reaches a ticket); handed over: to the ticket.
        on_new_message = bounded(handoff_relay.inbound(on_new_message))
        handoff_relay.register_sms_sender(self.sender)  # staff replies go out by text
        conversations = SmsConversations(
            self.engine,
            self.sender,
            on_new_message,
            self.hasher,
            RateLimiter(self.settings.sms_rate_limit_per_minute),
        )
        self.conversations = conversations
        sms = Blueprint("sms_webhook", __name__)

        @sms.route("/twilio", methods=["POST"])
        async def twilio_inbound(request: Request) -> HTTPResponse:
            if self.provider_name != "twilio":
                return response.text("Not found", status=404)
            if len(request.body) > MAX_REQUEST_BYTES:
                return response.text("Too large", status=413)
            try:
                inbound = parse_twilio_inbound(
                    self._public_url(request),
                    dict(request.form or {}),
                    request.headers.get("X-Twilio-Signature"),
                    self.settings.twilio_auth_token,
                    self.settings.twilio_account_sid,
                )
            except InboundForbidden as error:
                logger.warning("twilio webhook refused: %s", error)
                return response.text("Forbidden", status=403)
            except InboundRejected as error:
                return response.text(str(error), status=400)
            await conversations.receive(inbound)
            return response.text(_EMPTY_TWIML, content_type="text/xml")

        @sms.route("/notify", methods=["POST"])
        async def notify_inbound(request: Request) -> HTTPResponse:
            if self.provider_name != "notify":
                return response.text("Not found", status=404)
            if len(request.body) > MAX_REQUEST_BYTES:
                return response.text("Too large", status=413)
            try:
                payload = request.json if request.body else None
            except Exception:
                payload = None
            try:
                inbound = parse_notify_inbound(
                    request.headers.get("Authorization"),
                    payload,
                    self.settings.notify_inbound_token,
                )
            except InboundForbidden as error:
                logger.warning("notify callback refused: %s", error)
                return response.text("Forbidden", status=403)
            except InboundRejected as error:
                return response.json({"error": str(error)}, status=400)
            status = await conversations.receive(inbound)
            return response.json({"status": status})

        simulator.add_routes(sms, self, conversations)
        add_server_listeners(sms)  # rasa_patches/collector.py

        @sms.listener("after_server_start")
        async def start_retry_sweep(app: Any, _loop: Any) -> None:
            app.ctx.sms_retry_sweep = asyncio.create_task(self._sweep_retries(conversations))

        @sms.listener("before_server_stop")
        async def stop_retry_sweep(app: Any, _loop: Any) -> None:
            task = getattr(app.ctx, "sms_retry_sweep", None)
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await conversations.drain()

        limit_request_size(sms)
        return sms

    async def _sweep_retries(self, conversations: SmsConversations) -> None:
        # Texts a stopped process left unprocessed, queued or retrying are finished here.
        while True:
            try:
                await conversations.recover(RECOVER_AFTER)
                await self.sender.retry_stale()
            except Exception:
                logger.exception("sms retry sweep failed")
            await asyncio.sleep(RETRY_SWEEP_SECONDS)
