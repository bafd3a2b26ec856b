"""`python -m bot notify run-due`: send the reminders that are due now (cron, systemd timer).

This is a composition root: it builds the SMS sender from channels.sms, imported
lazily here, so that bot/services never imports channels/.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine

from bot import clock
from bot.clients.sms.registry import build_provider
from bot.clients.sms.sender import SmsSender
from bot.db.session import get_engine
from bot.notifications.email import SmtpEmailSender, SmtpSettings
from bot.privacy import hash_identifier
from bot.services.notification_delivery import RunReport
from bot.services.reminders import parse_send_time, run_due
from bot.settings import Settings, get_settings


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `notify` commands to the `python -m bot` parser."""
    notify = subparsers.add_parser("notify", help="bin-day reminders and service alerts")
    actions = notify.add_subparsers(dest="notify_command", metavar="ACTION", required=True)
    run = actions.add_parser(
        "run-due", help="send every reminder due now (safe to run often, and from several hosts)"
    )
    run.add_argument("--at", help="act as if it were this ISO time (London if no zone given)")
    run.set_defaults(handler=_run_due)


def build_senders(engine: Engine, settings: Settings) -> dict[str, Any]:
    """The senders by contact kind, from the settings' providers."""
    sms = SmsSender(
        engine,
        build_provider(settings.sms_provider, settings),
        hash_identifier,
        attempts=settings.sms_send_attempts,
        base_delay_seconds=settings.sms_retry_base_seconds,
    )
    senders: dict[str, Any] = {"sms": sms}
    if settings.smtp_host:
        senders["email"] = SmtpEmailSender(
            SmtpSettings(
                host=settings.smtp_host,
                port=settings.smtp_port,
                sender=settings.smtp_sender,
                starttls=settings.smtp_starttls,
                username=settings.smtp_username,
                password=settings.smtp_password,
            ),
            attempts=settings.sms_send_attempts,
            base_delay_seconds=settings.sms_retry_base_seconds,
        )
    return senders


async def run_once(engine: Engine, settings: Settings, now: datetime) -> RunReport:
    """One scheduler pass: every reminder due at `now`."""
    return await run_due(
        engine,
        build_senders(engine, settings),
        now,
        send_time=parse_send_time(settings.reminder_send_time),
        daily_cap=settings.notification_daily_cap,
        sends_per_second=settings.notification_sends_per_second,
    )


def _parse_at(text: str | None) -> datetime:
    if not text:
        return clock.now()
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=clock.LONDON) if moment.tzinfo is None else moment


def _run_due(args: argparse.Namespace) -> int:
    settings = get_settings()
    try:
        now = _parse_at(args.at)
    except ValueError:
        print(f"Not a time: {args.at!r}. Use e.g. 2026-11-29T18:00", file=sys.stderr)
        return 2
    report = asyncio.run(run_once(get_engine(settings.database_url), settings, now))
    print(
        f"Reminders at {now:%Y-%m-%d %H:%M %Z}: {report.sent} sent, "
        f"{report.already_claimed} already handled, {report.suppressed} stopped by the "
        f"resident, {report.capped} over the daily limit, {report.failed} failed."
    )
    return 1 if report.failed else 0
