"""Identifiers we must not store or log as they are (conversation ids, phone numbers)."""

from __future__ import annotations

import hashlib
import hmac

from bot.settings import get_settings


def hash_identifier(value: str, secret: str | None = None) -> str:
    """A keyed HMAC-SHA256 of `value` as 64 hex characters.

    The same value always gives the same hash (so records can be matched), but
    without the secret (settings.identifier_hash_secret by default) the hash
    cannot be turned back into a phone number by trying every number.
    """
    key = (secret if secret is not None else get_settings().identifier_hash_secret).encode()
    return hmac.new(key, str(value).encode("utf-8"), hashlib.sha256).hexdigest()
