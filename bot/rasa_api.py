"""Rasa's HTTP API as the project's own scripts, benches and tests start it: never open.

The API (/conversations, /model, /status...) is off unless asked for; when a script needs
it, the server gets a fresh token and every call passes it (Rasa reads `?token=`).
"""

from __future__ import annotations

import secrets
from urllib.parse import quote


def new_token() -> str:
    """A random token for one run of the Rasa server's API."""
    return secrets.token_urlsafe(32)


def api_flags(token: str) -> list[str]:
    """`rasa run` arguments that turn the API on behind `token`."""
    return ["--enable-api", "--auth-token", token]


def api_url(base: str, path: str, token: str) -> str:
    """The URL of an API route with the token, e.g. api_url(base, "/status", token)."""
    separator = "&" if "?" in path else "?"
    return f"{base}{path}{separator}token={quote(token)}"
