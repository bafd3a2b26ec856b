"""The staff queue's server-rendered pages: they work without JavaScript.

Each form posts back and is answered with a redirect (post/redirect/get) or, when the
input was refused, the page again with the reason and a 4xx status.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, html, redirect

from bot.clock import LONDON
from bot.services import handoff
from bot.web import auth, known_device, operations
from bot.web.database import in_session
from bot.web.errors import ERROR_STATUS, error_message
from bot.web.security import (
    PRE_SESSION_CSRF_COOKIE,
    SESSION_COOKIE,
    clear_cookie,
    client_address,
    set_cookie,
)
from bot.web.state import StaffApp, current_staff, signed_in_staff

SIGN_IN_MESSAGES = {
    "refused": (401, "Enter a correct username and password."),
    "rate_limited": (429, "There have been too many attempts to sign in. Try again at {time}."),
}


def sign_in_refusal(result: auth.SignInResult) -> tuple[int, str]:
    """The HTTP status and plain words for a sign-in that did not work."""
    status, message = SIGN_IN_MESSAGES[result.status]
    if result.retry_at is None:
        return status, message
    return status, message.format(time=clock_time(result.retry_at))


def retry_after_seconds(result: auth.SignInResult, now: datetime) -> int:
    """Whole seconds until the next try is allowed (for the Retry-After header)."""
    if result.retry_at is None:
        return 0
    return max(1, math.ceil((result.retry_at - now).total_seconds()))


def clock_time(moment: datetime) -> str:
    """A time as GOV.UK writes it, London time, rounded up to the minute: '3:15pm'."""
    local = moment.astimezone(LONDON)
    if local.second or local.microsecond:
        local = local.replace(second=0, microsecond=0) + timedelta(minutes=1)
    if (local.hour, local.minute) == (12, 0):
        return "midday"
    if (local.hour, local.minute) == (0, 0):
        return "midnight"
    hour = local.hour % 12 or 12
    return f"{hour}:{local.minute:02d}{'am' if local.hour < 12 else 'pm'}"


def register(blueprint: Blueprint, app: StaffApp) -> None:
    """Add the pages to the blueprint."""

    def sign_in_page(request: Request, error: str = "", status: int = 200) -> HTTPResponse:
        token = auth.new_token()
        response = html(
            app.render(request, "sign_in.html", error=error, pre_csrf=token), status=status
        )
        set_cookie(response, PRE_SESSION_CSRF_COOKIE, token, app.settings, 3600)
        return response

    async def ticket_page(
        request: Request, ticket_id: int, error: str = "", status: int = 200
    ) -> HTTPResponse:
        staff = signed_in_staff(request)
        try:
            ticket = await operations.view_ticket(app.queue, staff, ticket_id)
        except handoff.HandoffError as refused:
            return error_page(request, refused)
        colleagues = await operations.list_staff(app.queue) if staff.is_supervisor else []
        page = app.render(request, "ticket.html", ticket=ticket, colleagues=colleagues, error=error)
        return html(page, status=status)

    def error_page(request: Request, refused: Exception) -> HTTPResponse:
        status = ERROR_STATUS.get(type(refused), 400)
        page = app.render(request, "error.html", message=error_message(refused), status=status)
        return html(page, status=status)

    @blueprint.get("/")
    async def page_home(request: Request) -> HTTPResponse:
        return redirect("/staff/queue", status=303)

    @blueprint.get("/sign-in")
    async def page_sign_in(request: Request) -> HTTPResponse:
        if current_staff(request) is not None:
            return redirect("/staff/queue", status=303)
        return sign_in_page(request)

    @blueprint.post("/sign-in")
    async def page_sign_in_submit(request: Request) -> HTTPResponse:
        username = str(request.form.get("username", ""))
        password = str(request.form.get("password", ""))
        result = await sign_in(app, request, username, password)
        if result.status != "ok":
            status, message = sign_in_refusal(result)
            response = sign_in_page(request, message, status)
            if result.retry_at is not None:
                response.headers["Retry-After"] = str(retry_after_seconds(result, app.queue.now()))
            return response
        response = redirect("/staff/queue", status=303)
        set_session_cookie(app, response, result.token)
        set_known_device_cookie(app, response, username, result.device)
        clear_cookie(response, PRE_SESSION_CSRF_COOKIE, app.settings)
        return response

    @blueprint.post("/sign-out")
    async def page_sign_out(request: Request) -> HTTPResponse:
        await sign_out(app, request)
        response = redirect("/staff/sign-in", status=303)
        clear_cookie(response, SESSION_COOKIE, app.settings)
        return response

    @blueprint.get("/queue")
    async def page_queue(request: Request) -> HTTPResponse:
        staff = signed_in_staff(request)
        tickets = await operations.list_queue(app.queue, staff)
        notice = str(request.args.get("notice", ""))[:40]
        return html(app.render(request, "queue.html", tickets=tickets, notice=notice))

    @blueprint.get("/tickets/<ticket_id:int>")
    async def page_ticket(request: Request, ticket_id: int) -> HTTPResponse:
        return await ticket_page(request, ticket_id)

    @blueprint.post("/tickets/<ticket_id:int>/claim")
    async def page_claim(request: Request, ticket_id: int) -> HTTPResponse:
        staff = signed_in_staff(request)
        try:
            await operations.claim(app.queue, staff, ticket_id)
        except handoff.HandoffError as refused:
            return error_page(request, refused)
        return redirect(f"/staff/tickets/{ticket_id}", status=303)

    async def act(request: Request, ticket_id: int, action, back_to: str = "") -> HTTPResponse:  # type: ignore[no-untyped-def]
        """Run `action`, then back to the ticket; `back_to` is the form to return to (its id),
        so the browser keeps the advisor's place rather than the top of the page."""
        staff = signed_in_staff(request)
        try:
            await action(staff)
        except handoff.InvalidHandoff as refused:
            return await ticket_page(request, ticket_id, error_message(refused), 400)
        except handoff.HandoffError as refused:
            return error_page(request, refused)
        fragment = f"#{back_to}" if back_to else ""
        return redirect(f"/staff/tickets/{ticket_id}{fragment}", status=303)

    @blueprint.post("/tickets/<ticket_id:int>/reply")
    async def page_reply(request: Request, ticket_id: int) -> HTTPResponse:
        text = str(request.form.get("text", ""))
        return await act(
            request,
            ticket_id,
            lambda s: operations.reply(app.queue, s, ticket_id, text),
            back_to="reply-form",
        )

    @blueprint.post("/tickets/<ticket_id:int>/note")
    async def page_note(request: Request, ticket_id: int) -> HTTPResponse:
        text = str(request.form.get("text", ""))
        return await act(
            request,
            ticket_id,
            lambda s: operations.note(app.queue, s, ticket_id, text),
            back_to="note-form",
        )

    @blueprint.post("/tickets/<ticket_id:int>/resolve")
    async def page_resolve(request: Request, ticket_id: int) -> HTTPResponse:
        outcome = str(request.form.get("outcome", ""))
        staff = signed_in_staff(request)
        try:
            await operations.resolve(app.queue, staff, ticket_id, outcome)
        except handoff.InvalidHandoff as refused:
            return await ticket_page(request, ticket_id, error_message(refused), 400)
        except handoff.HandoffError as refused:
            return error_page(request, refused)
        return redirect("/staff/queue?notice=resolved", status=303)

    @blueprint.post("/tickets/<ticket_id:int>/reassign")
    async def page_reassign(request: Request, ticket_id: int) -> HTTPResponse:
        try:
            to_staff = int(str(request.form.get("staff_id", "")))
        except ValueError:
            return await ticket_page(request, ticket_id, "Choose who to give the ticket to.", 400)
        return await act(
            request, ticket_id, lambda s: operations.reassign(app.queue, s, ticket_id, to_staff)
        )

    @blueprint.get("/events")
    async def page_events(request: Request) -> None:
        response = await request.respond(
            content_type="text/event-stream", headers={"X-Accel-Buffering": "no"}
        )
        stream = app.live.stream()
        try:
            async for chunk in stream:
                await response.send(chunk)
        finally:
            await stream.aclose()


def set_session_cookie(app: StaffApp, response: HTTPResponse, token: str) -> None:
    """Give the browser its session cookie."""
    lifetime = int(auth.SESSION_LIFETIME.total_seconds())
    set_cookie(response, SESSION_COOKIE, token, app.settings, lifetime)


def set_known_device_cookie(
    app: StaffApp, response: HTTPResponse, username: str, device: str
) -> None:
    """Remember this browser for the account, so throttling never locks it out."""
    name = known_device.cookie_name(auth.normalise_username(username))
    if name is None or not device:
        return
    secret, account = app.settings.identifier_hash_secret, auth.normalise_username(username)
    value = known_device.cookie_value(secret, account, device, app.queue.now())
    set_cookie(response, name, value, app.settings, int(known_device.LIFETIME.total_seconds()))


def request_device(app: StaffApp, request: Request, username: str) -> str | None:
    """The device id from the browser's known-device cookie for this account, if valid."""
    name = auth.normalise_username(username)
    cookie = known_device.cookie_name(name)
    if cookie is None:
        return None
    return known_device.verified_device(
        app.settings.identifier_hash_secret, name, request.cookies.get(cookie), app.queue.now()
    )


async def sign_in(app: StaffApp, request: Request, username: str, password: str):  # type: ignore[no-untyped-def]
    """Check the password (throttled) and audit the attempt."""
    now = app.queue.now()
    ip = client_address(request, app.settings)
    device = request_device(app, request, username)

    def work(session):  # type: ignore[no-untyped-def]
        result = auth.sign_in(session, username, password, ip, now, device)
        if result.status == "ok":
            handoff.audit(session, "sign_in", now, result.staff_id, None, f"ip={ip}")
        else:
            name = auth.normalise_username(username)
            handoff.audit(session, f"sign_in_{result.status}", now, None, None, f"{name} ip={ip}")
        return result

    return await in_session(app.queue.engine, work)


async def sign_out(app: StaffApp, request: Request) -> None:
    """End the request's session and audit it."""
    staff = current_staff(request)
    token = request.cookies.get(SESSION_COOKIE)
    now = app.queue.now()

    def work(session) -> None:  # type: ignore[no-untyped-def]
        auth.sign_out(session, token)
        if staff is not None:
            handoff.audit(session, "sign_out", now, staff.id)

    await in_session(app.queue.engine, work)
