"""Turn the assistant's messages for one turn into one SMS-shaped reply.

Buttons become numbered options ("1: Yes"), links are kept, typographic
characters become their GSM-7 equivalents, and the whole reply fits within
`max_segments` segments: when it is too long the prose is cut at a sentence
boundary, and the links and options are kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.services.sms_segments import count_segments, encode_for_sms

MAX_SEGMENTS = 3
MAX_OPTIONS = 9

_URL = re.compile(r"https?://\S+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_BLANK_RUNS = re.compile(r"[ \t]+")


@dataclass(frozen=True)
class SmsOption:
    """A numbered choice the resident can reply with."""

    number: int
    title: str
    payload: str


@dataclass(frozen=True)
class SmsReply:
    """The text to send and the options its numbers stand for."""

    text: str
    options: tuple[SmsOption, ...] = ()


def _fits(text: str, max_segments: int) -> bool:
    return count_segments(text).segments <= max_segments


def _message_parts(message: Mapping[str, Any]) -> list[str]:
    parts = [str(message.get("text") or "").strip()]
    for key in ("link", "image", "attachment"):
        value = message.get(key)
        if isinstance(value, str) and value.strip():
            parts.append(value.strip())
    return [part for part in parts if part]


def _collect_options(messages: Sequence[Mapping[str, Any]]) -> tuple[SmsOption, ...]:
    options: list[SmsOption] = []
    for message in messages:
        for button in list(message.get("buttons") or []) + list(message.get("quick_replies") or []):
            if len(options) >= MAX_OPTIONS or not isinstance(button, Mapping):
                continue
            title = encode_for_sms(str(button.get("title") or "").strip())
            payload = str(button.get("payload") or title).strip()
            if title:
                options.append(SmsOption(len(options) + 1, title, payload))
    return tuple(options)


def _options_block(options: Sequence[SmsOption], intro: str) -> str:
    if not options:
        return ""
    lines = [encode_for_sms(intro)] + [f"{o.number}: {o.title}" for o in options]
    return "\n".join(lines)


def _join(*blocks: str) -> str:
    return "\n\n".join(block for block in blocks if block)


def _cut_words(text: str, budget_check: Callable[[str], bool]) -> str:
    words = text.split(" ")
    while words:
        candidate = " ".join(words) + "..."
        if budget_check(candidate):
            return candidate
        words.pop()
    return ""


def _shorten_prose(prose: str, tail: str, max_segments: int) -> str:
    """The longest start of `prose`, cut after a sentence, that fits before `tail`."""
    sentences = [s for s in _SENTENCE_END.split(prose) if s]
    kept: list[str] = []
    for sentence in sentences:
        candidate = " ".join(kept + [sentence])
        if not _fits(_join(candidate, tail), max_segments):
            break
        kept.append(sentence)
    if kept:
        return " ".join(kept)
    # Not even one sentence fits: cut the first at a word boundary.
    return _cut_words(
        sentences[0] if sentences else "", lambda c: _fits(_join(c, tail), max_segments)
    )


def format_reply(
    messages: Sequence[Mapping[str, Any]],
    options_intro: str,
    max_segments: int = MAX_SEGMENTS,
) -> SmsReply:
    """One SMS reply for the assistant's `messages` (dicts with text, buttons, link...).

    `options_intro` heads the numbered options (from content, e.g. "Reply with a number:").
    """
    options = _collect_options(messages)
    body = encode_for_sms(_join(*("\n".join(_message_parts(m)) for m in messages)))
    block = _options_block(options, options_intro)
    whole = _join(body, block)
    if _fits(whole, max_segments):
        return SmsReply(whole, options)

    links = list(dict.fromkeys(_URL.findall(body)))
    prose = _BLANK_RUNS.sub(" ", _URL.sub("", body).replace("\n", " ")).strip()
    # If links and options alone are too long, drop the last options, then links.
    while options and not _fits(_join("\n".join(links), block), max_segments):
        options = options[:-1]
        block = _options_block(options, options_intro)
    while links and not _fits(_join("\n".join(links), block), max_segments):
        links.pop()
    tail = _join("\n".join(links), block)
    return SmsReply(_join(_shorten_prose(prose, tail, max_segments), tail), options)
