"""UK phone numbers: recognise mobile and landline forms, normalise to E.164."""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s().\-]")
# After the +44 or 0 prefix: ten digits (most numbers) or nine (some 01 areas, 0800).
_NATIONAL = re.compile(r"^[12357]\d{8,9}$|^8\d{8,9}$")


def normalise_uk_phone(text: str) -> str | None:
    """'07700 900123', '+44 (0)7700 900123', '01632 960000' -> '+447700900123' ...;
    None when `text` is not shaped like a UK number."""
    if not isinstance(text, str) or len(text) > 24:
        return None
    compact = _SEPARATORS.sub("", text.strip()).replace("+44(0)", "+44")
    compact = compact.replace("+440", "+44", 1) if compact.startswith("+440") else compact
    if compact.startswith("+44"):
        national = compact[3:]
    elif compact.startswith("0044"):
        national = compact[4:]
    elif compact.startswith("0"):
        national = compact[1:]
    else:
        return None
    if not _NATIONAL.match(national):
        return None
    return f"+44{national}"
