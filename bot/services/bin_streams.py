"""Which bin a resident means: 'the black one', 'recycling', 'food caddy' -> a stream name."""

from __future__ import annotations

import re

# Words residents use for each stream, beside the container's own name.
STREAM_WORDS: dict[str, tuple[str, ...]] = {
    "refuse": (
        "black",
        "grey",
        "gray",
        "rubbish",
        "general",
        "landfill",
        "household",
        "refuse",
        "waste bin",
        "normal bin",
        "main bin",
        "dustbin",
    ),
    "recycling": (
        "blue",
        "recycling",
        "recycle",
        "recyclable",
        "plastic",
        "paper",
        "cardboard",
        "cans",
        "tins",
        "bottles",
    ),
    "food": ("food", "caddy", "kitchen", "compost caddy"),
    "garden": ("green", "garden", "brown", "grass", "hedge", "leaves", "compost bin"),
}


def stream_from_text(text: str, available: dict[str, str]) -> str | None:
    """The stream among `available` (stream -> container name) that `text` names.

    None when no stream or more than one matches, so the resident is asked again.
    """
    words = " " + re.sub(r"[^a-z ]", " ", text.lower()) + " "
    matches = set()
    for stream, container in available.items():
        if stream in words or container.lower() in words:
            matches.add(stream)
            continue
        if any(
            f" {word} " in words or f" {word}s " in words for word in STREAM_WORDS.get(stream, ())
        ):
            matches.add(stream)
    return matches.pop() if len(matches) == 1 else None
