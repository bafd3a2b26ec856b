"""Request checks for the staff application: who is signed in, CSRF tokens, cookies, headers."""

from __future__ import annotations

from typing import Any

from sanic.request import Request
from sanic.response import HTTPResponse

from bot.client_address import came_over_tls, real_client_address
from bot.settings import Settings

SESSION_COOKIE = "staff_session"
PRE_SESSION_CSRF_COOKIE = "staff_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
# Sent only on responses the browser received over TLS (a browser ignores it over http).
HSTS_HEADER = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")


def set_cookie(
    response: HTTPResponse, name: str, value: str, settings: Settings, max_age: int
) -> None:
    """Set a cookie that scripts cannot read, sent only to /staff from our own pages."""
    response.cookies[name] = value
    cookie: Any = response.cookies[name]
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    cookie["path"] = "/staff"
    cookie["max-age"] = max_age
    if settings.staff_secure_cookies:
        cookie["secure"] = True


def clear_cookie(response: HTTPResponse, name: str, settings: Settings) -> None:
    """Tell the browser to forget a cookie."""
    set_cookie(response, name, "", settings, 0)


def submitted_csrf_token(request: Request) -> str | None:
    """The CSRF token sent with a request: the X-CSRF-Token header or the form field."""
    header = request.headers.get(CSRF_HEADER)
    if header:
        return str(header)
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = request.form.get(CSRF_FIELD)
        return str(value) if value else None
    return None


def client_address(request: Request, settings: Settings) -> str:
    """The client's real address: X-Forwarded-For is believed only from TRUSTED_PROXIES."""
    forwarded = ",".join(request.headers.getall("x-forwarded-for", []))
    return real_client_address(str(request.ip or ""), forwarded, settings.trusted_proxies)


def over_tls(request: Request, settings: Settings) -> bool:
    """Whether the browser reached us over TLS (X-Forwarded-Proto only from a trusted proxy)."""
    forwarded = ",".join(request.headers.getall("x-forwarded-proto", []))
    return came_over_tls(
        str(request.ip or ""), str(request.scheme), forwarded, settings.trusted_proxies
    )
