"""UK postcodes: recognise every valid format and normalise to 'SW1A 1AA' form."""

from __future__ import annotations

import re

# The official shape of a UK postcode (outward code, space, inward code), including GIR 0AA.
_OUTWARD = (
    r"(?:[A-PR-UWYZ][0-9]{1,2}|[A-PR-UWYZ][A-HK-Y][0-9]{1,2}"
    r"|[A-PR-UWYZ][0-9][A-HJKPSTUW]|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRV-Y])"
)
_INWARD = r"[0-9][ABD-HJLNP-UW-Z]{2}"
POSTCODE_PATTERN = re.compile(rf"^(?:(?P<out>{_OUTWARD})\s*(?P<in>{_INWARD})|(?P<gir>GIR\s*0AA))$")


def normalise_postcode(text: str) -> str | None:
    """'sw1a1aa' -> 'SW1A 1AA'; None when `text` is not a valid UK postcode."""
    if not isinstance(text, str) or len(text) > 16:
        return None
    compact = re.sub(r"\s+", "", text.strip().upper())
    match = POSTCODE_PATTERN.match(compact)
    if not match:
        return None
    if match.group("gir"):
        return "GIR 0AA"
    return f"{match.group('out')} {match.group('in')}"


def outward_code(postcode: str) -> str:
    """The outward part of a normalised postcode ('SW1A 1AA' -> 'SW1A')."""
    return postcode.split(" ", 1)[0]
