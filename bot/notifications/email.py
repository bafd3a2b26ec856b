"""Sending reminder and alert emails over SMTP, each with a one-click unsubscribe link.

The link is in the body and in the List-Unsubscribe header (with
List-Unsubscribe-Post, RFC 8058, so mail apps can offer their own button).
Temporary failures (connection refused or dropped, 4xx replies) are retried
with backoff; the outcome is returned for the delivery row, never dropped.
"""

from __future__ import annotations

import asyncio
import smtplib
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import make_msgid

SMTP_POLICY = policy.SMTP.clone(max_line_length=998)
TEMPORARY = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    ConnectionError,
    TimeoutError,
    OSError,
)


@dataclass(frozen=True)
class EmailResult:
    """How one email went: status "sent" or "failed", attempts made, last error."""

    status: str
    attempts: int
    last_error: str | None = None


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send: host, port, sender address, optional STARTTLS and login."""

    host: str = "127.0.0.1"
    port: int = 25
    sender: str = "noreply@example.gov.uk"
    subject: str = "Bin collection reminder"
    starttls: bool = False
    username: str = ""
    password: str = ""
    timeout: float = 10.0


class SmtpEmailSender:
    """Sends one email per call through an SMTP server."""

    def __init__(
        self, settings: SmtpSettings, attempts: int = 3, base_delay_seconds: float = 2.0
    ) -> None:
        self._settings = settings
        self._attempts = max(1, attempts)
        self._base_delay = base_delay_seconds

    def build(self, to: str, body: str, idempotency_key: str, unsubscribe_url: str) -> EmailMessage:
        """The message: plain text, the unsubscribe link last, and the unsubscribe headers."""
        # Long lines allowed up to SMTP's own limit, so the link header stays plain text.
        message = EmailMessage(policy=SMTP_POLICY)
        message["From"] = self._settings.sender
        message["To"] = to
        message["Subject"] = self._settings.subject
        domain = self._settings.sender.rpartition("@")[2] or "localhost"
        message["Message-ID"] = make_msgid(
            idstring=idempotency_key.replace(":", "."), domain=domain
        )
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        message.set_content(f"{body}\n\nTo stop these emails, open this link:\n{unsubscribe_url}\n")
        return message

    def _send_once(self, message: EmailMessage) -> None:
        s = self._settings
        with smtplib.SMTP(s.host, s.port, timeout=s.timeout) as smtp:
            if s.starttls:
                smtp.starttls()
            if s.username:
                smtp.login(s.username, s.password)
            smtp.send_message(message)

    async def send(
        self, to: str, body: str, idempotency_key: str, *, unsubscribe_url: str
    ) -> EmailResult:
        """Send `body` to `to`; retries temporary failures, refuses to send without a link."""
        if not unsubscribe_url:
            return EmailResult("failed", 0, "no unsubscribe link")
        message = self.build(to, body, idempotency_key, unsubscribe_url)
        error = ""
        for attempt in range(self._attempts):
            try:
                await asyncio.to_thread(self._send_once, message)
                return EmailResult("sent", attempt + 1)
            except smtplib.SMTPResponseException as refused:
                error = f"SMTP {refused.smtp_code}: {refused.smtp_error!r}"[:300]
                if refused.smtp_code < 400 or refused.smtp_code >= 500:
                    return EmailResult("failed", attempt + 1, error)
            except smtplib.SMTPRecipientsRefused as refused:
                return EmailResult("failed", attempt + 1, f"recipient refused: {refused}"[:300])
            except TEMPORARY as failure:
                error = f"{type(failure).__name__}: {failure}"[:300]
            if attempt + 1 < self._attempts:
                await asyncio.sleep(self._base_delay * (2**attempt))
        return EmailResult("failed", self._attempts, error)
