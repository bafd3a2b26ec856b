"""The SMS provider named by the settings (SMS_PROVIDER): the one place providers are listed."""

from __future__ import annotations

from bot.clients.sms.notify import NotifyProvider
from bot.clients.sms.outbox import OutboxProvider
from bot.clients.sms.provider import SmsProvider
from bot.clients.sms.twilio import TwilioProvider
from bot.settings import Settings


def build_provider(name: str, settings: Settings) -> SmsProvider:
    """The provider adapter called `name` ("outbox", "twilio" or "notify"), from settings."""
    if name == "outbox":
        return OutboxProvider()
    if name == "twilio":
        return TwilioProvider(
            settings.twilio_account_sid,
            settings.twilio_auth_token,
            settings.twilio_from_number,
            api_base_url=settings.twilio_api_base_url,
        )
    if name == "notify":
        return NotifyProvider(
            settings.notify_api_key,
            settings.notify_sms_template_id,
            base_url=settings.notify_base_url,
        )
    raise ValueError(f"unknown SMS provider {name!r}: use outbox, twilio or notify")
