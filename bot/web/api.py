"""The staff queue's JSON API (under /staff/api), declared once in ROUTES.

The same table registers the routes and writes the OpenAPI description
(/staff/api/openapi.json), so the two cannot drift apart. Authentication: the
session cookie from POST /staff/api/session; every non-GET request also sends the
session's CSRF token in the X-CSRF-Token header.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from sanic import Blueprint
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse, empty, json

from bot.services import handoff
from bot.web import auth, operations
from bot.web.errors import ERROR_STATUS, error_message
from bot.web.openapi import openapi_document
from bot.web.pages import (
    retry_after_seconds,
    set_known_device_cookie,
    set_session_cookie,
    sign_in,
    sign_in_refusal,
    sign_out,
)
from bot.web.security import (
    PRE_SESSION_CSRF_COOKIE,
    SESSION_COOKIE,
    clear_cookie,
    set_cookie,
)
from bot.web.state import StaffApp, signed_in_staff

Handler = Callable[..., Coroutine[Any, Any, HTTPResponse]]


@dataclass(frozen=True)
class ApiRoute:
    """One operation: its method and path, what it does, what it takes and gives."""

    method: str
    path: str  # OpenAPI style: /tickets/{ticket_id}
    name: str
    summary: str
    body: dict[str, Any] | None = None
    response: str = "Ticket"
    public: bool = False
    errors: tuple[int, ...] = field(default=(401, 403))


def _text_body(description: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["text"],
        "properties": {"text": {"type": "string", "maxLength": 2000, "description": description}},
    }


ROUTES: tuple[ApiRoute, ...] = (
    ApiRoute("GET", "/session/csrf", "csrf", "A CSRF token for signing in", None,
             "CsrfToken", True, ()),
    ApiRoute("POST", "/session", "sign_in", "Sign in (sets the session cookie)",
             {"type": "object", "required": ["username", "password"],
              "properties": {"username": {"type": "string", "maxLength": 64},
                             "password": {"type": "string", "maxLength": 1024}}},
             "Session", True, (401, 403, 429)),
    ApiRoute("DELETE", "/session", "sign_out", "Sign out", None, "", False),
    ApiRoute("GET", "/tickets", "tickets", "Open tickets by priority, then waiting time",
             None, "TicketList"),
    ApiRoute("GET", "/tickets/{ticket_id}", "ticket", "A ticket with its whole transcript",
             None, "TicketDetail", errors=(401, 403, 404)),
    ApiRoute("POST", "/tickets/{ticket_id}/claim", "claim", "Claim a waiting ticket",
             errors=(401, 403, 404, 409)),
    ApiRoute("POST", "/tickets/{ticket_id}/reply", "reply", "Reply to the resident",
             _text_body("What the resident will read"), errors=(400, 401, 403, 404, 409)),
    ApiRoute("POST", "/tickets/{ticket_id}/notes", "note", "Add an internal note",
             _text_body("For staff only; never sent"), errors=(400, 401, 403, 404)),
    ApiRoute("POST", "/tickets/{ticket_id}/resolve", "resolve", "Resolve with an outcome",
             {"type": "object", "required": ["outcome"],
              "properties": {"outcome": {"type": "string",
                                         "enum": ["answered", "transferred", "no_response"]}}},
             errors=(400, 401, 403, 404, 409)),
    ApiRoute("POST", "/tickets/{ticket_id}/reassign", "reassign",
             "Give a ticket to another member of staff (supervisors)",
             {"type": "object", "required": ["staff_id"],
              "properties": {"staff_id": {"type": "integer"}}},
             errors=(400, 401, 403, 404, 409)),
    ApiRoute("GET", "/staff", "staff", "Active staff (supervisors)", None, "StaffList"),
    ApiRoute("GET", "/openapi.json", "openapi", "This description", None, "OpenApi"),
)  # fmt: skip


def _body(request: Request) -> dict[str, Any]:
    try:
        body = request.json
    except SanicException:
        raise handoff.InvalidHandoff("the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise handoff.InvalidHandoff("the body must be a JSON object")
    return body


def _refusal(error: Exception) -> HTTPResponse:
    return json({"error": error_message(error)}, status=ERROR_STATUS.get(type(error), 400))


def register(blueprint: Blueprint, app: StaffApp) -> None:
    """Add every route of ROUTES to the blueprint under /api."""

    async def csrf(request: Request) -> HTTPResponse:
        token = auth.new_token()
        response = json({"csrf_token": token})
        set_cookie(response, PRE_SESSION_CSRF_COOKIE, token, app.settings, 3600)
        return response

    async def sign_in_(request: Request) -> HTTPResponse:
        body = _body(request)
        result = await sign_in(
            app, request, str(body.get("username", "")), str(body.get("password", ""))
        )
        if result.status != "ok":
            status, message = sign_in_refusal(result)
            if result.retry_at is None:
                return json({"error": message}, status=status)
            wait = retry_after_seconds(result, app.queue.now())
            return json(
                {"error": message, "retry_after_seconds": wait},
                status=status,
                headers={"Retry-After": str(wait)},
            )
        response = json({"csrf_token": result.csrf_token, "staff_id": result.staff_id})
        set_session_cookie(app, response, result.token)
        set_known_device_cookie(app, response, str(body.get("username", "")), result.device)
        clear_cookie(response, PRE_SESSION_CSRF_COOKIE, app.settings)
        return response

    async def sign_out_(request: Request) -> HTTPResponse:
        await sign_out(app, request)
        response = empty()
        clear_cookie(response, SESSION_COOKIE, app.settings)
        return response

    async def tickets(request: Request) -> HTTPResponse:
        staff = signed_in_staff(request)
        return json({"tickets": await operations.list_queue(app.queue, staff)})

    async def ticket(request: Request, ticket_id: int) -> HTTPResponse:
        return json(await operations.view_ticket(app.queue, signed_in_staff(request), ticket_id))

    async def claim(request: Request, ticket_id: int) -> HTTPResponse:
        return json(await operations.claim(app.queue, signed_in_staff(request), ticket_id))

    async def reply(request: Request, ticket_id: int) -> HTTPResponse:
        text = str(_body(request).get("text", ""))
        return json(await operations.reply(app.queue, signed_in_staff(request), ticket_id, text))

    async def note(request: Request, ticket_id: int) -> HTTPResponse:
        text = str(_body(request).get("text", ""))
        return json(await operations.note(app.queue, signed_in_staff(request), ticket_id, text))

    async def resolve(request: Request, ticket_id: int) -> HTTPResponse:
        outcome = str(_body(request).get("outcome", ""))
        staff = signed_in_staff(request)
        return json(await operations.resolve(app.queue, staff, ticket_id, outcome))

    async def reassign(request: Request, ticket_id: int) -> HTTPResponse:
        to_staff = _body(request).get("staff_id")
        if not isinstance(to_staff, int) or isinstance(to_staff, bool):
            raise handoff.InvalidHandoff("staff_id must be a whole number")
        staff = signed_in_staff(request)
        return json(await operations.reassign(app.queue, staff, ticket_id, to_staff))

    async def staff(request: Request) -> HTTPResponse:
        user = signed_in_staff(request)
        if not user.is_supervisor:
            raise handoff.NotAllowed("supervisors only")
        return json({"staff": await operations.list_staff(app.queue)})

    async def openapi(request: Request) -> HTTPResponse:
        return json(openapi_document(ROUTES, prefix="/staff/api"))

    handlers: dict[str, Handler] = {
        "csrf": csrf, "sign_in": sign_in_, "sign_out": sign_out_, "tickets": tickets,
        "ticket": ticket, "claim": claim, "reply": reply, "note": note, "resolve": resolve,
        "reassign": reassign, "staff": staff, "openapi": openapi,
    }  # fmt: skip

    for route in ROUTES:
        blueprint.add_route(
            _refusing(handlers[route.name]),
            "/api" + route.path.replace("{ticket_id}", "<ticket_id:int>"),
            methods=[route.method],
            name=f"api_{route.name}_{route.method.lower()}",
        )


def _refusing(handler: Handler) -> Handler:
    """Turn the queue's refusals into JSON errors with the right status."""

    async def wrapped(request: Request, **kwargs: Any) -> HTTPResponse:
        try:
            return await handler(request, **kwargs)
        except handoff.HandoffError as refused:
            return _refusal(refused)

    return wrapped
