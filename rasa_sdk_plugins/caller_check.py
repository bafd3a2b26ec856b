"""The action server takes calls only from the Rasa server.

Every request except /health must come from a loopback or private address and, when
ACTION_SERVER_SECRET is set (always in production, and in `make run`), carry it in the
`X-Action-Secret` header (Rasa sends it from endpoints.yml, bot/endpoints.py). Anything
else gets 403 before an action runs. In production the action server refuses to start
without the secret (bot/production.py).
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
from typing import Any

import pluggy
from sanic import Sanic, response
from sanic.request import Request

from bot.endpoints import ACTION_SECRET_HEADER
from bot.production import StartContext, refuse_unsafe_start
from bot.settings import get_settings

hookimpl = pluggy.HookimplMarker("rasa_sdk")
logger = logging.getLogger(__name__)

OPEN_PATHS = frozenset({"/health"})


def caller_allowed(remote_address: str, presented: str | None, secret: str) -> bool:
    """Whether a call may reach the actions: an internal address, and the secret if one is set."""
    try:
        address = ipaddress.ip_address(remote_address)
    except ValueError:
        return False
    if not (address.is_loopback or address.is_private):
        return False
    if not secret:
        return True
    return presented is not None and hmac.compare_digest(presented.encode(), secret.encode())


@hookimpl  # type: ignore[misc]
def attach_sanic_app_extensions(app: Sanic) -> None:
    """Refuse an unsafe production start, then check every caller."""
    settings = get_settings()
    refuse_unsafe_start("action server", settings, StartContext())
    secret = settings.action_server_secret
    if not secret:
        logger.warning("ACTION_SERVER_SECRET is not set: any local process may call actions.")

    @app.middleware("request")
    async def only_the_rasa_server(request: Request) -> Any:
        if request.path in OPEN_PATHS:
            return None
        if caller_allowed(request.ip, request.headers.get(ACTION_SECRET_HEADER), secret):
            return None
        logger.warning("Refused an action server call from %s to %s", request.ip, request.path)
        return response.json({"error": "forbidden"}, status=403)
