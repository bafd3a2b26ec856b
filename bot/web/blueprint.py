"""The staff handoff queue as a Sanic blueprint (url_prefix /staff).

Mount it in the Rasa server (a small channel whose blueprint() returns it) or on any Sanic
app. Every route except sign-in and the static files needs a signed-in member of staff;
every POST (forms and API) needs the session's CSRF token.
"""

from __future__ import annotations

from pathlib import Path

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, file, html, json, redirect
from sqlalchemy.engine import Engine

from bot.clock import now
from bot.content import Content, get_content
from bot.council import get_council
from bot.services.message_bus import MessageBus
from bot.settings import Settings
from bot.web import alert_pages, api, auth, insight_pages, pages
from bot.web.database import in_session
from bot.web.labels import StaffLabels
from bot.web.live import LiveUpdates
from bot.web.operations import Queue, StaffUser
from bot.web.security import (
    HSTS_HEADER,
    PRE_SESSION_CSRF_COOKIE,
    SAFE_METHODS,
    SECURITY_HEADERS,
    SESSION_COOKIE,
    over_tls,
    submitted_csrf_token,
)
from bot.web.state import StaffApp, make_templates

STATIC_DIR = Path(__file__).resolve().parent / "static"
# Reachable before signing in: the sign-in page and API, and the style sheet and script.
PUBLIC_ROUTES = frozenset(
    {
        ("GET", "/staff/sign-in"),
        ("POST", "/staff/sign-in"),
        ("GET", "/staff/api/session/csrf"),
        ("POST", "/staff/api/session"),
    }
)
PUBLIC_PREFIXES = ("/staff/static/",)
STATIC_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
}
STATIC_FILES = {path.name: path for path in STATIC_DIR.iterdir() if path.suffix in STATIC_TYPES}
NOT_FOUND_ROUTE = "staff_not_found"
ANY_METHOD = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _denied(request: Request, status: int, message: str) -> HTTPResponse:
    if request.path.startswith("/staff/api/"):
        return json({"error": message}, status=status)
    if status == 401:
        return redirect("/staff/sign-in", status=303)
    return HTTPResponse(message, status=status, content_type="text/plain; charset=utf-8")


def create_staff_blueprint(
    engine: Engine,
    bus: MessageBus,
    settings: Settings,
    content: Content | None = None,
    clock=now,  # type: ignore[no-untyped-def]
) -> Blueprint:
    """The staff queue blueprint: pages, JSON API (/staff/api), live updates (/staff/events)."""
    blueprint = Blueprint("staff_queue", url_prefix="/staff")
    content = content or get_content()
    templates = make_templates()
    templates.filters.update(StaffLabels.from_directory(settings.messages_dir).filters())
    app = StaffApp(
        settings=settings,
        queue=Queue(engine=engine, bus=bus, content=content, clock=clock),
        live=LiveUpdates(bus, engine),
        templates=templates,
        council_name=get_council().name,
    )

    @blueprint.listener("after_server_start")
    async def _subscribe(_app, _loop) -> None:  # type: ignore[no-untyped-def]
        await app.live.start()

    @blueprint.listener("before_server_stop")
    async def _stop_watching(_app, _loop) -> None:  # type: ignore[no-untyped-def]
        await app.live.stop()

    @blueprint.middleware("request")
    async def _authenticate(request: Request) -> HTTPResponse | None:
        path = request.path
        method = "GET" if request.method == "HEAD" else request.method
        public = (method, path) in PUBLIC_ROUTES or path.startswith(PUBLIC_PREFIXES)
        request.ctx.staff = None
        request.ctx.csrf_token = ""
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            found = await in_session(
                engine,
                lambda s: _session_values(auth.session_for_token(s, token, app.queue.now())),
            )
            if found is not None:
                request.ctx.staff, request.ctx.csrf_token = found
        if _route_name(request).endswith(NOT_FOUND_ROUTE):
            return None  # an unknown address: a plain 404 for everyone; it changes nothing
        if public:
            if request.method not in SAFE_METHODS and not path.startswith(PUBLIC_PREFIXES):
                # Before sign-in the token is double-submitted: cookie and form/header agree.
                expected = request.cookies.get(PRE_SESSION_CSRF_COOKIE)
                if not auth.tokens_match(expected, submitted_csrf_token(request)):
                    return _denied(request, 403, "The form expired. Go back and try again.")
            return None
        if request.ctx.staff is None:
            return _denied(request, 401, "Sign in first.")
        if request.method not in SAFE_METHODS and not auth.tokens_match(
            request.ctx.csrf_token, submitted_csrf_token(request)
        ):
            return _denied(request, 403, "The form expired. Go back and try again.")
        return None

    @blueprint.middleware("response")
    async def _headers(request: Request, response: HTTPResponse) -> None:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if over_tls(request, settings):
            response.headers.setdefault(*HSTS_HEADER)

    def not_found(request: Request) -> HTTPResponse:
        if request.path.startswith("/staff/api/"):
            return json({"error": "Not found."}, status=404)
        return html(app.render(request, "not_found.html"), status=404)

    @blueprint.route("/static/<name:path>", methods=["GET", "HEAD"], name="staff_static")
    async def static_file(request: Request, name: str) -> HTTPResponse:
        # Only the files that ship: no paths, so no traversal, NUL bytes or directories.
        found = STATIC_FILES.get(name)
        if found is None:
            return not_found(request)
        return await file(found, mime_type=STATIC_TYPES.get(found.suffix))

    pages.register(blueprint, app)
    insight_pages.register(blueprint, app, engine)
    alert_pages.register(blueprint, app, engine)
    api.register(blueprint, app)

    @blueprint.route("/<unknown:path>", methods=list(ANY_METHOD), name=NOT_FOUND_ROUTE)
    async def page_not_found(request: Request, unknown: str) -> HTTPResponse:
        return not_found(request)

    return blueprint


def _route_name(request: Request) -> str:
    route = getattr(request, "route", None)
    return str(getattr(route, "name", "") or "")


def _session_values(found) -> tuple[StaffUser, str] | None:  # type: ignore[no-untyped-def]
    if found is None:
        return None
    staff = found.staff
    return StaffUser(id=staff.id, username=staff.username, role=staff.role), found.csrf_token
