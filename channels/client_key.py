"""Who is on the other end of a request, as a key for limits: a keyed hash of the real
client address (behind trusted proxies, bot/web/security.py `client_address`), never the
address itself.

Channels put it in each message's metadata as `client`, so the actions can limit what one
client does across conversations (reference guesses, code texts).
"""

from __future__ import annotations

from sanic.request import Request

from bot.privacy import hash_identifier
from bot.settings import get_settings
from bot.web.security import client_address

METADATA_KEY = "client"


def client_key(request: Request) -> str:
    """A keyed hash of the request's real client address."""
    return hash_identifier("client:" + client_address(request, get_settings()))
