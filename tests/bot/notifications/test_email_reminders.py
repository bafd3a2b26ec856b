"""Reminder emails through a real SMTP server on loopback (aiosmtpd), each with a one-click
unsubscribe link that the scheduler channel's route honours."""

from __future__ import annotations

import asyncio
import dataclasses
import email
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from email import policy
from email.message import Message

import aiohttp
import pytest
from aiosmtpd.controller import Controller
from sanic import Sanic
from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.clock import LONDON
from bot.db.notifications import NotificationConsent, ReminderDelivery
from bot.db.session import session_scope
from bot.notifications.email import SmtpEmailSender, SmtpSettings
from bot.services.notification_subscriptions import subscribe, subscriptions_for
from bot.services.reminders import run_due
from bot.settings import Settings
from channels.notifications import NotificationScheduler
from tests.channels.sms.sms_support import free_port

EVENING = datetime(2026, 11, 29, 18, 0, tzinfo=LONDON)
ADDRESS = "resident@example.org"

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


class Mailbox:
    """An aiosmtpd handler keeping every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's name
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    mailbox, port = Mailbox(), free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


def _subscribe(engine: Engine) -> None:
    with session_scope(engine) as session:
        subscribe(
            session,
            contact_kind="email",
            contact=ADDRESS,
            uprn="100090000001",
            channel="web",
            wording="Emails the evening before bin day.",
            now=EVENING - timedelta(days=2),
        )


def _sender(port: int, attempts: int = 3) -> SmtpEmailSender:
    return SmtpEmailSender(
        SmtpSettings(host="127.0.0.1", port=port, sender="bins@oakbridge.test"),
        attempts=attempts,
        base_delay_seconds=0.01,
    )


@SQLITE
async def test_the_reminder_email_carries_a_one_click_unsubscribe_link_that_works(
    loaded_engine: Engine, smtp: tuple[Mailbox, int]
) -> None:
    mailbox, port = smtp
    _subscribe(loaded_engine)
    report = await run_due(loaded_engine, {"email": _sender(port)}, EVENING)
    assert report.sent == 1 and len(mailbox.messages) == 1
    message = mailbox.messages[0]
    body = message.get_payload(decode=True).decode()
    assert message["To"] == ADDRESS and "Monday 30 November" in body
    link = message["List-Unsubscribe"].strip("<>")
    assert link in body and message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    settings = dataclasses.replace(
        Settings(), database_url=loaded_engine.url.render_as_string(hide_password=False)
    )
    channel = NotificationScheduler(3600, settings, loaded_engine, now=lambda: EVENING)
    app = Sanic(f"unsubscribe_test_{uuid.uuid4().hex[:12]}")
    app.blueprint(channel.blueprint(lambda _m: None), url_prefix="/webhooks/notifications")
    web_port = free_port()
    server = await app.create_server(
        host="127.0.0.1", port=web_port, return_asyncio_server=True, access_log=False
    )
    await server.startup()
    try:
        path = link.split("/webhooks/", 1)[1]
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{web_port}/webhooks/{path}") as reply:
                assert reply.status == 200 and "unsubscribed" in await reply.text()
            async with http.get(
                f"http://127.0.0.1:{web_port}/webhooks/notifications/unsubscribe/not-a-token"
            ) as reply:
                assert reply.status == 404
    finally:
        server.close()
        await server.wait_closed()
    with session_scope(loaded_engine) as session:
        assert subscriptions_for(session, ADDRESS) == []
        consent = session.scalars(select(NotificationConsent)).one()
        assert consent.withdrawn_how == "email_link"


@SQLITE
async def test_an_unreachable_mail_server_is_retried_and_the_failure_recorded(
    loaded_engine: Engine,
) -> None:
    _subscribe(loaded_engine)
    report = await run_due(loaded_engine, {"email": _sender(free_port(), attempts=2)}, EVENING)
    assert (report.sent, report.failed) == (0, 1)
    with session_scope(loaded_engine) as session:
        row = session.scalars(select(ReminderDelivery)).one()
        assert row.status == "failed" and row.last_error


async def test_an_email_is_never_sent_without_its_unsubscribe_link(
    smtp: tuple[Mailbox, int],
) -> None:
    mailbox, port = smtp
    result = await _sender(port).send(ADDRESS, "Hello", "k-1", unsubscribe_url="")
    await asyncio.sleep(0)
    assert result.status == "failed" and mailbox.messages == []
