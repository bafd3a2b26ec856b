"""What a resident's message may hold before it reaches the assistant.

Control characters (NUL included) are removed, keeping new lines and tabs; a message
longer than the settings' `max_message_chars` is not read at all (channels answer it).
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def strip_control_characters(text: str) -> str:
    """`text` without control characters other than new line, carriage return and tab."""
    return _CONTROL.sub("", text)


def is_too_long(text: str, limit: int) -> bool:
    """Whether a message is longer than a channel reads (`limit` characters)."""
    return len(text) > limit
