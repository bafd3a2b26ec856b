"""Service request references: two capital letters for the category, a dash, six digits."""

from __future__ import annotations

import re

CATEGORY_PREFIXES = {
    "MB": "missed_bin",
    "PH": "pothole",
    "SL": "street_light",
    "FT": "fly_tipping",
}
PREFIX_FOR_CATEGORY = {category: prefix for prefix, category in CATEGORY_PREFIXES.items()}
_LOOSE = re.compile(r"^\s*([A-Za-z]{2})\s*[-–—_/.]?\s*(\d{6})\s*$")


def normalise_reference(text: str) -> str | None:
    """'mb 204117', 'MB204117', 'mb-204117' -> 'MB-204117'; None when not that shape
    or the letters are not a known category."""
    if not isinstance(text, str) or len(text) > 24:
        return None
    match = _LOOSE.match(text)
    if not match:
        return None
    prefix = match.group(1).upper()
    if prefix not in CATEGORY_PREFIXES:
        return None
    return f"{prefix}-{match.group(2)}"
