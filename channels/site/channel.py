"""The site around the channels: `/favicon.ico` and a plain "Page not found" page.

Rasa mounts input channels under /webhooks/; this one asks for "/" so that its routes sit at
the root. Every unknown address on the server (not /staff/, which has its own page in the
staff site's style) gets the plain page instead of Sanic's text, and no stack trace.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.exceptions import NotFound
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.council import get_council
from channels.startup_checks import start_rasa_server

ICON = Path(__file__).resolve().parents[2] / "bot" / "web" / "static" / "favicon.svg"
PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Page not found - {council}</title>
<link rel="icon" href="/favicon.ico" type="image/svg+xml">
<style>body{{font-family:Arial,sans-serif;font-size:1.1875rem;line-height:1.5;margin:0;
color:#0b0c0c}}main{{max-width:40rem;margin:0 auto;padding:1.5rem 1rem}}
h1{{font-size:2rem;margin:0 0 1rem}}</style></head>
<body><main><h1>Page not found</h1>
<p>If you typed the web address, check it is correct.</p>
<p>If you pasted the web address, check you copied the entire address.</p>
</main></body></html>"""
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'self'; "
    "style-src 'unsafe-inline'; frame-ancestors 'none'",
}


def not_found_page(request: Request, exception: Exception) -> HTTPResponse:
    """The plain page for an address the server does not have (JSON for JSON callers)."""
    if "application/json" in request.headers.get("accept", ""):
        return response.json({"error": "not_found"}, status=404)
    return response.html(PAGE.format(council=get_council().name), status=404, headers=HEADERS)


class SiteInput(InputChannel):
    """Not a channel residents talk through: the server's icon and its 404 page."""

    @classmethod
    def name(cls) -> str:
        return "site"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> SiteInput:
        start_rasa_server()
        return cls()

    def url_prefix(self) -> str:
        # Rasa mounts blueprints at urljoin("/webhooks/", prefix): "/" gives the root.
        return "/"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        site = Blueprint("site", __name__)
        icon = ICON.read_bytes()

        @site.route("/favicon.ico", methods=["GET"])
        async def favicon(request: Request) -> HTTPResponse:
            return response.raw(
                icon,
                content_type="image/svg+xml",
                headers={"Cache-Control": "public, max-age=86400"},
            )

        @site.listener("before_server_start")
        async def plain_not_found(app: Any, _loop: Any) -> None:
            app.error_handler.add(NotFound, not_found_page)

        return site
