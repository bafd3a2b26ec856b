"""One typed settings object, read from the environment once.

Every setting has an embedded default so that `make run` works with no other
server: a SQLite file under `var/` and the demo council's content file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = PROJECT_ROOT / "var"


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


@dataclass(frozen=True)
class Settings:
    """What the assistant needs to know about where it runs."""

    council_file: Path = field(default_factory=lambda: PROJECT_ROOT / "content" / "council.yml")
    messages_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "content" / "messages")
    database_url: str = f"sqlite:///{VAR_DIR / 'council.db'}"
    tracker_database_url: str = f"sqlite:///{VAR_DIR / 'tracker.db'}"
    case_system: str = "local"
    open311_url: str = ""
    open311_api_key: str = ""
    open311_jurisdiction: str = ""
    # Our category -> the endpoint's service code, e.g. "missed_bin=MB01,pothole=PH01".
    open311_service_codes: str = ""
    open311_timeout: float = 5.0
    action_server_url: str = "http://127.0.0.1:5055/webhook"
    # The longest the Rasa server waits for one call to the action server (Rasa's own limit
    # is 5 minutes); past it the resident gets the system-down reply (channels/action_failures.py).
    action_server_timeout_seconds: float = 10.0
    rasa_port: int = 5005
    action_port: int = 5055
    # Rasa lock store: "" for the in-memory one (one server), redis://... for several servers.
    lock_store_url: str = ""
    timezone: str = "Europe/London"
    # An ISO time the clock stands still at (demos and end-to-end tests); "" for real time.
    fixed_now: str = ""
    # Staff replies and queue updates between servers: "" in-process, postgresql://... or redis://...
    message_bus_url: str = ""
    # Staff queue cookies carry `Secure` unless the queue is served over plain local http.
    staff_secure_cookies: bool = True
    status_lookup_attempts: int = 5
    status_lookup_window_minutes: int = 60
    # Key for hashing conversation ids and phone numbers before they are stored or logged.
    # The default is for development only: set IDENTIFIER_HASH_SECRET in production.
    identifier_hash_secret: str = "dev-only-identifier-hash-secret-change-me"
    # SMS channel: "outbox" (local, the default), "twilio" or "notify".
    sms_provider: str = "outbox"
    sms_public_base_url: str = ""  # the address providers call, e.g. https://chat.council.gov.uk
    sms_rate_limit_per_minute: int = 10
    sms_send_attempts: int = 3
    sms_retry_base_seconds: float = 2.0
    twilio_account_sid: str = ""
    twilio_auth_token: str = field(default="", repr=False)
    twilio_from_number: str = ""
    twilio_api_base_url: str = "https://api.twilio.com"
    notify_api_key: str = field(default="", repr=False)
    notify_inbound_token: str = field(default="", repr=False)
    notify_sms_template_id: str = ""
    notify_base_url: str = "https://api.notifications.service.gov.uk"
    # Bin-day reminders: London time on the evening before; most texts/emails per contact a day.
    reminder_send_time: str = "18:00"
    notification_daily_cap: int = 3
    # Seconds between runs of the in-process reminder scheduler (`make run`).
    notification_scheduler_seconds: int = 300
    # Reminders and alerts handed to the provider per second (stay under its rate limit).
    notification_sends_per_second: float = 10.0
    # Where residents' unsubscribe links point (the Rasa server's public address).
    notifications_public_base_url: str = "http://localhost:5005"
    # Reminder and alert emails over SMTP; "" switches email off.
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_sender: str = "noreply@example.gov.uk"
    smtp_starttls: bool = False
    smtp_username: str = ""
    smtp_password: str = field(default="", repr=False)
    # Insight: what one contact costs (pounds; Socitm channel-cost figures) and how long
    # conversation text is kept before retention removes it (daily counts stay).
    insight_cost_per_call: float = 2.83
    insight_cost_per_web_visit: float = 0.15
    conversation_retention_days: int = 90
    # Security (issue #20): "production" refuses to start with unsafe settings
    # (bot/production.py); anything else is the demo that `make run` starts.
    app_env: str = "development"
    # Shared secret the Rasa server sends to the action server on every call
    # (rasa_sdk_plugins/caller_check.py); `make run` makes a new one each time.
    action_server_secret: str = field(default="", repr=False)
    # Longest message the assistant reads from any channel; longer ones are refused kindly.
    max_message_chars: int = 2000
    # Addresses or networks of the TLS proxies in front of the servers, comma-separated:
    # only their X-Forwarded-For is believed (rate limits, sign-in throttling).
    trusted_proxies: str = ""
    # Web chat per client address (channels/web/rate_limit.py): messages a minute across
    # all its conversations, and sockets open at once.
    webchat_client_messages_per_minute: int = 120
    webchat_client_sockets: int = 30
    # Rasa patches and the SQLite statement cache (issue #21 part 3; README, Rasa patches):
    # "off" runs Rasa, and SQLAlchemy on SQLite, as released (slower, same behaviour).
    rasa_patches: str = "on"
    db_statement_cache: str = "on"

    @property
    def rasa_patches_on(self) -> bool:
        return self.rasa_patches != "off"

    @property
    def db_statement_cache_on(self) -> bool:
        return self.db_statement_cache != "off"

    @property
    def is_production(self) -> bool:
        return self.app_env == "production"

    @classmethod
    def from_env(cls) -> Settings:
        """Build the settings from environment variables (unset ones keep defaults)."""
        base = cls()
        database_url = _env("DATABASE_URL", base.database_url)
        return cls(
            council_file=Path(_env("COUNCIL_FILE", str(base.council_file))),
            messages_dir=Path(_env("MESSAGES_DIR", str(base.messages_dir))),
            database_url=database_url,
            # The tracker store follows the main database unless told otherwise.
            tracker_database_url=_env(
                "TRACKER_DATABASE_URL",
                database_url if "DATABASE_URL" in os.environ else base.tracker_database_url,
            ),
            case_system=_env("CASE_SYSTEM", base.case_system),
            open311_url=_env("OPEN311_URL", base.open311_url),
            open311_api_key=_env("OPEN311_API_KEY", base.open311_api_key),
            open311_jurisdiction=_env("OPEN311_JURISDICTION", base.open311_jurisdiction),
            open311_service_codes=_env("OPEN311_SERVICE_CODES", base.open311_service_codes),
            open311_timeout=float(_env("OPEN311_TIMEOUT", str(base.open311_timeout))),
            action_server_url=_env("ACTION_SERVER_URL", base.action_server_url),
            action_server_timeout_seconds=float(
                _env("ACTION_SERVER_TIMEOUT_SECONDS", str(base.action_server_timeout_seconds))
            ),
            rasa_port=int(_env("RASA_PORT", str(base.rasa_port))),
            action_port=int(_env("ACTION_PORT", str(base.action_port))),
            lock_store_url=_env("LOCK_STORE_URL", base.lock_store_url),
            fixed_now=_env("ASSISTANT_FIXED_NOW", base.fixed_now),
            message_bus_url=_env("MESSAGE_BUS_URL", base.message_bus_url),
            staff_secure_cookies=_env("STAFF_SECURE_COOKIES", "1").lower()
            not in ("0", "false", "no"),
            status_lookup_attempts=int(
                _env("STATUS_LOOKUP_ATTEMPTS", str(base.status_lookup_attempts))
            ),
            status_lookup_window_minutes=int(
                _env("STATUS_LOOKUP_WINDOW_MINUTES", str(base.status_lookup_window_minutes))
            ),
            identifier_hash_secret=_env("IDENTIFIER_HASH_SECRET", base.identifier_hash_secret),
            sms_provider=_env("SMS_PROVIDER", base.sms_provider),
            sms_public_base_url=_env("SMS_PUBLIC_BASE_URL", base.sms_public_base_url),
            sms_rate_limit_per_minute=int(
                _env("SMS_RATE_LIMIT_PER_MINUTE", str(base.sms_rate_limit_per_minute))
            ),
            sms_send_attempts=int(_env("SMS_SEND_ATTEMPTS", str(base.sms_send_attempts))),
            sms_retry_base_seconds=float(
                _env("SMS_RETRY_BASE_SECONDS", str(base.sms_retry_base_seconds))
            ),
            twilio_account_sid=_env("TWILIO_ACCOUNT_SID", base.twilio_account_sid),
            twilio_auth_token=_env("TWILIO_AUTH_TOKEN", base.twilio_auth_token),
            twilio_from_number=_env("TWILIO_FROM_NUMBER", base.twilio_from_number),
            twilio_api_base_url=_env("TWILIO_API_BASE_URL", base.twilio_api_base_url),
            notify_api_key=_env("NOTIFY_API_KEY", base.notify_api_key),
            notify_inbound_token=_env("NOTIFY_INBOUND_TOKEN", base.notify_inbound_token),
            notify_sms_template_id=_env("NOTIFY_SMS_TEMPLATE_ID", base.notify_sms_template_id),
            notify_base_url=_env("NOTIFY_BASE_URL", base.notify_base_url),
            reminder_send_time=_env("REMINDER_SEND_TIME", base.reminder_send_time),
            notification_daily_cap=int(
                _env("NOTIFICATION_DAILY_CAP", str(base.notification_daily_cap))
            ),
            notification_scheduler_seconds=int(
                _env("NOTIFICATION_SCHEDULER_SECONDS", str(base.notification_scheduler_seconds))
            ),
            notification_sends_per_second=float(
                _env("NOTIFICATION_SENDS_PER_SECOND", str(base.notification_sends_per_second))
            ),
            notifications_public_base_url=_env(
                "NOTIFICATIONS_PUBLIC_BASE_URL", base.notifications_public_base_url
            ),
            smtp_host=_env("SMTP_HOST", base.smtp_host),
            smtp_port=int(_env("SMTP_PORT", str(base.smtp_port))),
            smtp_sender=_env("SMTP_SENDER", base.smtp_sender),
            smtp_starttls=_env("SMTP_STARTTLS", "0").lower() in ("1", "true", "yes"),
            smtp_username=_env("SMTP_USERNAME", base.smtp_username),
            smtp_password=_env("SMTP_PASSWORD", base.smtp_password),
            insight_cost_per_call=float(
                _env("INSIGHT_COST_PER_CALL", str(base.insight_cost_per_call))
            ),
            insight_cost_per_web_visit=float(
                _env("INSIGHT_COST_PER_WEB_VISIT", str(base.insight_cost_per_web_visit))
            ),
            conversation_retention_days=int(
                _env("CONVERSATION_RETENTION_DAYS", str(base.conversation_retention_days))
            ),
            # Security (issue #20)
            app_env=_env("APP_ENV", base.app_env).lower(),
            action_server_secret=_env("ACTION_SERVER_SECRET", base.action_server_secret),
            max_message_chars=int(_env("MAX_MESSAGE_CHARS", str(base.max_message_chars))),
            trusted_proxies=_env("TRUSTED_PROXIES", base.trusted_proxies),
            webchat_client_messages_per_minute=int(
                _env(
                    "WEBCHAT_CLIENT_MESSAGES_PER_MINUTE",
                    str(base.webchat_client_messages_per_minute),
                )
            ),
            webchat_client_sockets=int(
                _env("WEBCHAT_CLIENT_SOCKETS", str(base.webchat_client_sockets))
            ),
            # Rasa patches and the SQLite statement cache (issue #21 part 3)
            rasa_patches=_env("RASA_PATCHES", base.rasa_patches).strip().lower(),
            db_statement_cache=_env("DB_STATEMENT_CACHE", base.db_statement_cache).strip().lower(),
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings.from_env()
