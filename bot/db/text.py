"""Text as every database can store it: no NUL or other control characters.

PostgreSQL refuses a NUL in text (the driver raises `ValueError`), SQLite stores it, and
neither is something a resident meant to write. So free-text columns that outside callers
can fill use `PlainString`/`PlainText`, which pass every value through `plain_text` when it
is written or compared; the SMS providers' inbound texts go through it at the edge too.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import String, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

# C0 controls and DEL, except tab and newline (a CR of a CRLF goes; the LF stays).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def plain_text(text: str) -> str:
    """`text` without NUL and other control characters; newlines and tabs are kept."""
    return _CONTROL.sub("", text)


class PlainString(TypeDecorator):
    """A `String(length)` column whose values are stored through `plain_text`."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return plain_text(value) if isinstance(value, str) else value


class PlainText(TypeDecorator):
    """A `Text` column whose values are stored through `plain_text`."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return plain_text(value) if isinstance(value, str) else value
