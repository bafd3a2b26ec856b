"""Service alerts (supervisors only): write, preview how many subscribers it reaches, publish.

GET  /staff/alerts           the form and recent alerts
POST /staff/alerts/preview   checks the alert, shows who it reaches, asks to confirm
POST /staff/alerts/publish   stores it, audits it and sends it once to each subscriber
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, html, redirect
from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.clock import LONDON
from bot.db.notifications import ServiceAlert
from bot.db.session import session_scope
from bot.services.alert_sending import send_alert
from bot.services.alerts import TOPICS, AlertError, count_recipients, create_alert, parse_areas
from bot.services.handoff import audit
from bot.web.state import StaffApp, signed_in_staff

FIELDS = ("message", "areas", "starts_at", "ends_at")


def _default_senders(engine: Engine, app: StaffApp) -> Mapping[str, Any]:
    from bot.notifications.commands import build_senders  # the composition root

    return build_senders(engine, app.settings)


def _moment(text: str, label: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(text or "").strip()[:16])
    except ValueError:
        raise AlertError(f"Enter the {label} as a date and time, like 2026-11-24T07:00.") from None
    return moment.replace(tzinfo=LONDON) if moment.tzinfo is None else moment


# Which field an error is about (its id on the form), by the words the error starts with.
ERROR_FIELDS = (
    ("Enter the start", "starts_at"),
    ("Enter the end", "ends_at"),
    ("The end must", "ends_at"),
    ("Write what happened", "message"),
    ("Choose", "topic-" + TOPICS[0]),
    ("Say which areas", "areas"),
    ("Give at most", "areas"),
    ("There is no collection round", "areas"),
)


def error_field(message: str) -> str:
    """The id of the form field an error is about, so the error summary can link to it."""
    for start, field_id in ERROR_FIELDS:
        if message.startswith(start):
            return field_id
    return "areas" if "postcode district" in message else "message"


def _form(request: Request) -> dict[str, Any]:
    form = request.form
    if form is None:
        return {**{name: "" for name in FIELDS}, "topics": []}
    values: dict[str, Any] = {name: str(form.get(name) or "")[:1000] for name in FIELDS}
    values["topics"] = [t for t in form.getlist("topics") or [] if t in TOPICS]
    return values


def _checked(session: Any, values: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The alert's parts, checked; raises AlertError naming what to fix."""
    areas = parse_areas(session, values["areas"])
    starts = _moment(values["starts_at"], "start")
    ends = _moment(values["ends_at"], "end")
    message = " ".join(values["message"].split())
    if not message:
        raise AlertError("Write what happened.")
    if not values["topics"]:
        raise AlertError("Choose at least one topic.")
    if ends <= starts or ends <= now:
        raise AlertError("The end must be after the start and in the future.")
    return {
        "message": message,
        "areas": areas,
        "topics": tuple(values["topics"]),
        "starts_at": starts,
        "ends_at": ends,
    }


def register(
    blueprint: Blueprint,
    app: StaffApp,
    engine: Engine,
    senders: Callable[[], Mapping[str, Any]] | None = None,
) -> None:
    """Add the alert pages to the staff blueprint; `senders` builds the SMS/email senders."""
    make_senders = senders or (lambda: _default_senders(engine, app))

    def page(request: Request, template: str, status: int = 200, **values: Any) -> HTTPResponse:
        error = values.get("error")
        where = error_field(error) if error else ""
        return html(
            app.render(request, template, topics_all=TOPICS, error_field=where, **values),
            status=status,
        )

    def refused(request: Request) -> HTTPResponse | None:
        if signed_in_staff(request).is_supervisor:
            return None
        return html(
            app.render(
                request,
                "error.html",
                status=403,
                message="Only supervisors can publish service alerts.",
            ),
            status=403,
        )

    def recent() -> list[ServiceAlert]:
        with session_scope(engine) as session:
            return list(
                session.scalars(select(ServiceAlert).order_by(ServiceAlert.id.desc()).limit(20))
            )

    async def refused_form(
        request: Request, values: dict[str, Any], error: AlertError
    ) -> HTTPResponse:
        """The alert form again, with what was typed and the error (focused by the page)."""
        return page(
            request,
            "alerts.html",
            status=400,
            values=values,
            error=str(error),
            alerts=await asyncio.to_thread(recent),
            sent=None,
        )

    @blueprint.get("/alerts")
    async def alerts_form(request: Request) -> HTTPResponse:
        denied = refused(request)
        if denied:
            return denied
        now = app.queue.now().astimezone(LONDON)
        values = {
            "message": "",
            "areas": "",
            "topics": ["bins"],
            "starts_at": now.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (now + timedelta(hours=12)).strftime("%Y-%m-%dT%H:%M"),
        }
        sent = request.args.get("sent")
        return page(
            request,
            "alerts.html",
            values=values,
            error=None,
            alerts=await asyncio.to_thread(recent),
            sent=int(sent) if sent and sent.isdigit() else None,
        )

    @blueprint.post("/alerts/preview")
    async def alerts_preview(request: Request) -> HTTPResponse:
        denied = refused(request)
        if denied:
            return denied
        values = _form(request)

        def check() -> tuple[dict[str, Any], int]:
            with session_scope(engine) as session:
                alert = _checked(session, values, app.queue.now())
                return alert, count_recipients(session, alert["areas"])

        try:
            alert, count = await asyncio.to_thread(check)
        except AlertError as error:
            return await refused_form(request, values, error)
        return page(request, "alert_confirm.html", values=values, alert=alert, count=count)

    @blueprint.post("/alerts/publish")
    async def alerts_publish(request: Request) -> HTTPResponse:
        denied = refused(request)
        if denied:
            return denied
        values = _form(request)
        staff = signed_in_staff(request)
        now = app.queue.now()

        def publish() -> int:
            with session_scope(engine) as session:
                alert = create_alert(
                    session, **_checked(session, values, now), created_by=staff.username, now=now
                )
                audit(
                    session,
                    "alert_published",
                    now,
                    staff_id=staff.id,
                    detail=f"alert {alert.id}: {' '.join(alert.areas)}",
                )
                return alert.id

        try:
            alert_id = await asyncio.to_thread(publish)
        except AlertError as error:
            return await refused_form(request, values, error)
        report = await send_alert(
            engine,
            make_senders(),
            alert_id,
            now,
            daily_cap=app.settings.notification_daily_cap,
            sends_per_second=app.settings.notification_sends_per_second,
        )
        return redirect(f"/staff/alerts?sent={report.sent}", status=303)
