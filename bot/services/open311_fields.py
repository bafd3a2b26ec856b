"""Reading single fields of Open311 answers without trusting their shape.

Each reader takes whatever JSON gave (any type) and returns a bounded, clean
value or an empty one; none of them raises.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from bot.clock import LONDON

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ID = r"^[A-Za-z0-9-]{1,64}$"


def as_text(value: Any, limit: int) -> str:
    """A string field, stripped, without control characters, cut to `limit`; '' otherwise."""
    if not isinstance(value, str):
        return ""
    return _CONTROL.sub("", value).strip()[:limit]


def as_identifier(value: Any, pattern: str = _ID) -> str | None:
    """An id given as a string or an integer, when it matches `pattern`; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value if re.match(pattern, value) else None


def as_bool(value: Any) -> bool:
    """JSON true, or the strings 'true'/'1' some servers send; False otherwise."""
    if isinstance(value, bool):
        return value
    return isinstance(value, str) and value.strip().lower() in ("true", "1")


def parse_datetime(value: Any) -> datetime | None:
    """An ISO 8601 date-time ('2026-11-09T13:00:00Z', '...+01:00') in London time.

    The spec requires an offset; one without is read as the council's own time.
    """
    if not isinstance(value, str) or not 10 <= len(value.strip()) <= 40:
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=LONDON)
    return parsed.astimezone(LONDON)


def looks_like_error_list(payload: Any) -> bool:
    """True for the spec's error shape [{"code": 403, "description": "..."}]."""
    return (
        isinstance(payload, list)
        and bool(payload)
        and isinstance(payload[0], dict)
        and "code" in payload[0]
        and "description" in payload[0]
        and "service_request_id" not in payload[0]
        and "service_code" not in payload[0]
        and "token" not in payload[0]
    )


def error_descriptions(body: bytes) -> str:
    """The descriptions of an error answer joined by '; ' (bounded); '' if unreadable."""
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return ""
    if isinstance(payload, dict):
        payload = [payload]
    if not isinstance(payload, list):
        return ""
    texts = [as_text(e.get("description"), 200) for e in payload[:5] if isinstance(e, dict)]
    return "; ".join(t for t in texts if t)[:500]
