"""The Rasa API token of this test session: every Rasa server the tests start takes it."""

from __future__ import annotations

from bot.rasa_api import api_flags, api_url, new_token

__all__ = ["FLAGS", "TOKEN", "new_token", "url"]

TOKEN = new_token()
FLAGS = api_flags(TOKEN)


def url(base: str, path: str) -> str:
    """`base` + `path` with this session's token."""
    return api_url(base, path, TOKEN)
