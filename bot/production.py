"""Production mode: the settings a council could get wrong, checked before anything starts.

With `APP_ENV=production` the Rasa server and the action server refuse to start while any
check below fails, and say why, one line a problem. Anything else is the demo (`make run`),
which starts with embedded defaults and says that it is a demo.

The checks take plain values (the settings, the channels named in credentials.yml, the
Rasa command line, whether the demo staff accounts exist) so they are tested without a server.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.client_address import invalid_trusted_proxies
from bot.settings import Settings

# Shorter secrets than this are refused: 32 characters of `secrets.token_urlsafe` or hex.
MIN_SECRET_CHARS = 32
DEFAULT_SECRETS = frozenset({Settings().identifier_hash_secret})
# Rasa's API flags: the API is on with --enable-api, and guarded by one of the others.
API_FLAG = "--enable-api"
API_GUARD_FLAGS = ("--auth-token", "-t", "--jwt-secret")
REST_CHANNELS = frozenset({"rest", "channels.rest_handoff.RestWithHandoffInput"})
SMS_CHANNEL = "channels.sms.channel.SmsInput"


class UnsafeSettings(SystemExit):
    """Raised to stop a production start; its message lists every problem found."""


@dataclass(frozen=True)
class StartContext:
    """What a server knows about how it was started, besides the settings."""

    # Input channels from credentials.yml: name -> their credentials (None for none).
    channels: Mapping[str, Any] = field(default_factory=dict)
    # The `rasa run` command line (sys.argv), to see whether the HTTP API is on.
    rasa_args: Sequence[str] = ()
    demo_accounts_present: bool = False


def _secret_problem(name: str, value: str) -> str | None:
    if not value:
        return f"{name} is not set."
    if value in DEFAULT_SECRETS:
        return f"{name} is the published development default."
    if len(value) < MIN_SECRET_CHARS:
        return f"{name} is shorter than {MIN_SECRET_CHARS} characters."
    return None


def sms_problems(settings: Settings, channels: Mapping[str, Any]) -> list[str]:
    """What is wrong with the SMS set-up for production (nothing when SMS is not used)."""
    if SMS_CHANNEL not in channels:
        return []
    provider = settings.sms_provider
    if provider == "outbox":
        return [
            "SMS_PROVIDER is 'outbox' (texts kept locally, with a public simulator page): "
            "use 'twilio' or 'notify'."
        ]
    needed: dict[str, dict[str, str]] = {
        "twilio": {
            "TWILIO_ACCOUNT_SID": settings.twilio_account_sid,
            "TWILIO_AUTH_TOKEN": settings.twilio_auth_token,
            "TWILIO_FROM_NUMBER": settings.twilio_from_number,
        },
        "notify": {
            "NOTIFY_API_KEY": settings.notify_api_key,
            "NOTIFY_INBOUND_TOKEN": settings.notify_inbound_token,
            "NOTIFY_SMS_TEMPLATE_ID": settings.notify_sms_template_id,
        },
    }
    named = (channels.get(SMS_CHANNEL) or {}).get("provider")
    if named and named != provider:
        return [
            f"credentials.yml names the SMS provider {named!r} but SMS_PROVIDER is "
            f"{provider!r}: set SMS_PROVIDER only."
        ]
    problems = [
        f"{name} is not set (SMS_PROVIDER={provider})."
        for name, value in needed.get(provider, {}).items()
        if not value
    ]
    if not settings.sms_public_base_url.startswith("https://"):
        problems.append("SMS_PUBLIC_BASE_URL must be the public https:// address providers call.")
    return problems


def rasa_api_problems(rasa_args: Sequence[str]) -> list[str]:
    """The Rasa HTTP API may be on only with a token (or JWT) guarding it."""
    if API_FLAG not in rasa_args:
        return []
    guarded = any(
        arg == flag or arg.startswith(flag + "=") for arg in rasa_args for flag in API_GUARD_FLAGS
    )
    if guarded:
        return []
    return ["The Rasa HTTP API is on (--enable-api) without --auth-token or --jwt-secret."]


def unsafe_settings(settings: Settings, context: StartContext) -> list[str]:
    """Every reason not to start in production; empty when it is safe (or not production)."""
    if not settings.is_production:
        return []
    problems = [
        problem
        for problem in (
            _secret_problem("IDENTIFIER_HASH_SECRET", settings.identifier_hash_secret),
            _secret_problem("ACTION_SERVER_SECRET", settings.action_server_secret),
        )
        if problem
    ]
    if settings.smtp_username and not settings.smtp_password:
        problems.append("SMTP_USERNAME is set but SMTP_PASSWORD is not.")
    if not settings.staff_secure_cookies:
        problems.append("STAFF_SECURE_COOKIES is off: staff cookies must be Secure (https).")
    if not settings.trusted_proxies:
        problems.append(
            "TRUSTED_PROXIES is empty: name the TLS proxy's address so that rate limits and "
            "sign-in throttling see residents' and staff's real addresses."
        )
    elif invalid_trusted_proxies(settings.trusted_proxies):
        wrong = ", ".join(invalid_trusted_proxies(settings.trusted_proxies))
        problems.append(f"TRUSTED_PROXIES has entries that are not addresses or networks: {wrong}.")
    rest = sorted(REST_CHANNELS & set(context.channels))
    if rest:
        problems.append(
            f"The REST channel ({rest[0]}) is for demos and tests: remove it from credentials.yml."
        )
    problems += sms_problems(settings, context.channels)
    problems += rasa_api_problems(context.rasa_args)
    if context.demo_accounts_present:
        problems.append(
            "The demo staff accounts (published passwords) exist in the database: "
            "remove them with `python -m bot staff remove-demo`."
        )
    return problems


def refuse_unsafe_start(server: str, settings: Settings, context: StartContext) -> None:
    """Stop the process with every problem listed, if production settings are unsafe."""
    problems = unsafe_settings(settings, context)
    if problems:
        listed = "\n".join(f"  - {problem}" for problem in problems)
        raise UnsafeSettings(
            f"The {server} will not start with APP_ENV=production until these are fixed:\n"
            f"{listed}\nThe README's settings table says what each one needs."
        )
