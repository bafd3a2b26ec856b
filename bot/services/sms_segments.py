"""SMS encoding and segment counting (3GPP TS 23.038).

A text goes as GSM-7 when every character is in the GSM-7 alphabet: 160 septets
in one segment, 153 per segment once split ([]{}^\\|~€ take two septets, and
an escape pair is never split across segments). Otherwise the whole text goes
as UCS-2: 70 UTF-16 units in one segment, 67 per segment once split (a
character outside the Basic Multilingual Plane takes two units, never split).
"""

from __future__ import annotations

from dataclasses import dataclass

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

GSM7_SINGLE, GSM7_MULTI = 160, 153
UCS2_SINGLE, UCS2_MULTI = 70, 67

# Typographic characters with a GSM-7 equivalent that means the same thing.
# Letters that carry meaning (Welsh ŵ, ŷ, â ...) are never replaced.
_EQUIVALENTS = {
    "\u2018": "'",  # left single quote
    "\u2019": "'",  # right single quote / apostrophe
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u2033": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",  # en dash
    "\u2014": "-",  # em dash
    "\u2015": "-",
    "\u2212": "-",
    "\u2026": "...",
    "\u00a0": " ",  # no-break space
    "\u2002": " ",
    "\u2003": " ",
    "\u2009": " ",
    "\u200a": " ",
    "\u202f": " ",
    "\u200b": "",  # zero-width space
    "\u200d": "",
    "\ufeff": "",
    "\u2022": "-",  # bullet
    "\u00b7": "-",
    "\t": " ",
}
_TRANSLATION = str.maketrans(_EQUIVALENTS)


@dataclass(frozen=True)
class SegmentInfo:
    """How a text goes over SMS: its encoding, its length in units, its segments."""

    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int


def encode_for_sms(text: str) -> str:
    """`text` with typographic characters swapped for their GSM-7 equivalents
    (curly quotes, dashes, ellipsis, odd spaces); other characters are kept."""
    return text.translate(_TRANSLATION)


def is_gsm7(text: str) -> bool:
    """True when every character of `text` is in the GSM-7 alphabet."""
    return all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text)


def _unit_sizes(text: str, gsm: bool) -> list[int]:
    if gsm:
        return [2 if char in GSM7_EXTENSION else 1 for char in text]
    return [2 if ord(char) > 0xFFFF else 1 for char in text]


def _count_split(sizes: list[int], per_segment: int) -> int:
    segments, used = 1, 0
    for size in sizes:
        if used + size > per_segment:
            segments, used = segments + 1, 0
        used += size
    return segments


def count_segments(text: str) -> SegmentInfo:
    """Encoding, units and number of segments `text` takes as sent (not re-encoded)."""
    gsm = is_gsm7(text)
    sizes = _unit_sizes(text, gsm)
    units = sum(sizes)
    single, multi = (GSM7_SINGLE, GSM7_MULTI) if gsm else (UCS2_SINGLE, UCS2_MULTI)
    segments = 1 if units <= single else _count_split(sizes, multi)
    return SegmentInfo(encoding="GSM-7" if gsm else "UCS-2", units=units, segments=segments)
