"""Who is on the other end of a request, as a key for limits: a keyed hash of the real
client address (behind trusted proxies, bot/client_address.py), never the address itself.

Channels put it in each message's metadata as `client`, so the actions can limit what one
client does across conversations (reference guesses, code texts).
"""

from __future__ import annotations

from sanic.request import Request

from bot.client_address import real_client_address
from bot.privacy import hash_identifier
from bot.settings import get_settings

METADATA_KEY = "client"


def client_address(request: Request) -> str:
    """The real client address of a request (X-Forwarded-For only from trusted proxies)."""
    return real_client_address(
        request.ip, request.headers.get("x-forwarded-for"), get_settings().trusted_proxies
    )


def client_key(request: Request) -> str:
    """A keyed hash of the request's real client address."""
    return hash_identifier("client:" + client_address(request))
