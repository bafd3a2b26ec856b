"""The in-process reminder scheduler `make run` starts, as a Rasa input channel.

It takes no messages: its blueprint only starts a loop when the server starts
(one pass at once, then one every `interval` seconds) and serves
GET /webhooks/notifications/health with the last pass's counts, and the one-click
unsubscribe link of every email, /webhooks/notifications/unsubscribe/<token>, and
GET /webhooks/notifications/alerts[?postcode=OB1+1AA][&topic=bins] (live alerts, JSON;
without a postcode, every live alert and where it applies)
for the web widget's banner. Passes are
idempotent, so a restart, a second server or a cron job running
`python -m bot notify run-due` as well never sends a reminder twice.

credentials.yml:  channels.notifications.NotificationScheduler: {}
(optional: `interval_seconds: 300`).
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import asdict
from datetime import datetime
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.engine import Engine

from bot import clock
from bot.content import get_content
from bot.db.session import get_engine, session_scope
from bot.notifications.commands import run_once
from bot.postcodes import normalise_postcode
from bot.services.alerts import (
    TOPICS,
    AlertInfo,
    PublicAlert,
    active_alerts_for_postcode,
    live_public_alerts,
)
from bot.services.notification_delivery import RunReport
from bot.services.notification_subscriptions import withdraw_by_token
from bot.settings import Settings, get_settings
from channels.startup_checks import start_rasa_server

logger = logging.getLogger(__name__)

FIRST_PASS_WAIT_SECONDS = 10.0
FEED_ARGUMENTS = ("postcode", "topic")
MAX_FEED_QUERY = 200
# Short caching: a new alert reaches pages within a minute. Any site may embed the widget.
FEED_HEADERS = {
    "Cache-Control": "public, max-age=60",
    "Access-Control-Allow-Origin": "*",
    "X-Content-Type-Options": "nosniff",
}
BANNER_WORDS = {
    "heading": "webchat_alerts_heading",
    "hide": "webchat_alerts_hide",
    "count_one": "webchat_alerts_count_one",
    "count_many": "webchat_alerts_count_many",
    "new": "webchat_alerts_new",
}


def feed_arguments(args: Mapping[str, list[str]]) -> tuple[str | None, str | None]:
    """The alerts feed's (postcode, topic), both optional; raises ValueError saying what is
    wrong with an unknown, repeated, too long or malformed argument."""
    for key, values in args.items():
        if key not in FEED_ARGUMENTS:
            raise ValueError(f"unknown parameter {key[:32]!r}: use postcode and topic only")
        if len(values) != 1:
            raise ValueError(f"give {key} once")
    postcode: str | None = None
    if "postcode" in args:
        raw = args["postcode"][0]
        postcode = normalise_postcode(raw) if len(raw) <= 16 else None
        if postcode is None:
            raise ValueError("give a full postcode, like OB1 1AA")
    topic = args["topic"][0] if "topic" in args else None
    if topic is not None and topic not in TOPICS:
        raise ValueError(f"topic must be one of: {', '.join(TOPICS)}")
    return postcode, topic


def public_feed(alerts: list[PublicAlert]) -> dict[str, Any]:
    """The feed without a postcode: each live alert with where it applies, and the banner's
    words (content/messages/webchat.yml), so the widget needs no words of its own for it."""
    content = get_content()
    return {
        "alerts": [
            {
                "id": a.id,
                "message": a.message,
                "topics": list(a.topics),
                "starts_at": a.starts_at.isoformat(),
                "ends_at": a.ends_at.isoformat(),
                "whole_council": a.whole_council,
                "places": list(a.places),
                "where": (
                    content.text("webchat_alerts_everywhere")
                    if a.whole_council
                    else content.text("webchat_alerts_where", places=", ".join(a.places))
                ),
            }
            for a in alerts
        ],
        "labels": {name: content.text(key) for name, key in BANNER_WORDS.items()},
    }


class NotificationScheduler(InputChannel):
    """Runs the reminder job inside the Rasa server."""

    @classmethod
    def name(cls) -> str:
        return "notifications"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        start_rasa_server()
        interval = (credentials or {}).get("interval_seconds")
        return cls(interval_seconds=float(interval) if interval else None)

    def __init__(
        self,
        interval_seconds: float | None = None,
        settings: Settings | None = None,
        engine: Engine | None = None,
        now: Callable[[], datetime] = clock.now,
    ) -> None:
        self.settings = settings or get_settings()
        self.interval = max(
            0.01, interval_seconds or float(self.settings.notification_scheduler_seconds)
        )
        self.engine = engine or get_engine(self.settings.database_url)
        self.now = now
        self.last_report: RunReport | None = None
        self.passes = 0
        self._first_pass = asyncio.Event()

    async def run_pass(self) -> RunReport:
        """One pass of the job at the clock's current time."""
        report = await run_once(self.engine, self.settings, self.now())
        self.last_report = report
        self.passes += 1
        return report

    def _alerts_at(self, postcode: str, topic: str | None) -> list[AlertInfo]:
        with session_scope(self.engine) as session:
            return active_alerts_for_postcode(session, postcode, topic, self.now())

    def _public_alerts(self, topic: str | None) -> list[PublicAlert]:
        with session_scope(self.engine) as session:
            return live_public_alerts(session, topic, self.now())

    def _unsubscribe(self, token: str) -> bool:
        with session_scope(self.engine) as session:
            return withdraw_by_token(session, token[:64], clock.now())

    async def _loop(self) -> None:
        while True:
            try:
                await self.run_pass()
            except Exception:  # logged; the next pass tries again
                logger.exception("reminder scheduler pass failed")
            finally:
                self._first_pass.set()
            await asyncio.sleep(self.interval)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The health route and the listeners that start and stop the loop."""
        scheduler = Blueprint("notification_scheduler", __name__)
        self._first_pass = asyncio.Event()

        @scheduler.route("/health", methods=["GET"])
        async def health(_request: Request) -> HTTPResponse:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._first_pass.wait(), FIRST_PASS_WAIT_SECONDS)
            last = asdict(self.last_report) if self.last_report else None
            return response.json({"passes": self.passes, "last": last})

        @scheduler.route("/alerts", methods=["GET"])
        async def alerts(request: Request) -> HTTPResponse:
            # The widget's banner: ?postcode=OB1+1AA[&topic=bins] for one place, or no
            # postcode for every live alert, each saying where it applies.
            try:
                if len(request.query_string) > MAX_FEED_QUERY:
                    raise ValueError("the query is too long")
                postcode, topic = feed_arguments(request.get_args(keep_blank_values=True))
            except ValueError as bad:
                return response.json(
                    {"error": str(bad)},
                    status=400,
                    headers={**FEED_HEADERS, "Cache-Control": "no-store"},
                )
            if postcode is not None:
                found = await asyncio.to_thread(self._alerts_at, postcode, topic)
                return response.json(
                    {
                        "postcode": postcode,
                        "alerts": [
                            {
                                "message": a.message,
                                "topics": list(a.topics),
                                "starts_at": a.starts_at.isoformat(),
                                "ends_at": a.ends_at.isoformat(),
                            }
                            for a in found
                        ],
                    },
                    headers=FEED_HEADERS,
                )
            live = await asyncio.to_thread(self._public_alerts, topic)
            return response.json(public_feed(live), headers=FEED_HEADERS)

        @scheduler.route("/unsubscribe/<token>", methods=["GET", "POST"])
        async def unsubscribe(_request: Request, token: str) -> HTTPResponse:
            # One click: the link in an email (GET) or the mail app's button (POST, RFC 8058).
            stopped = await asyncio.to_thread(self._unsubscribe, token)
            key = "email_unsubscribed" if stopped else "email_unsubscribe_unknown"
            words = html.escape(get_content().text(key))
            page = (
                f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
                f"<title>Unsubscribe</title></head><body><main><p>{words}</p></main>"
                f"</body></html>"
            )
            return response.html(page, status=200 if stopped else 404)

        @scheduler.listener("after_server_start")
        async def start(app: Any, _loop: Any) -> None:
            self._first_pass = asyncio.Event()
            app.ctx.notification_scheduler = asyncio.create_task(self._loop())

        @scheduler.listener("before_server_stop")
        async def stop(app: Any, _loop: Any) -> None:
            task = getattr(app.ctx, "notification_scheduler", None)
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

        return scheduler
