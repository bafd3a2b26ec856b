"""The chat's JSON frames: checking what the browser sends, shaping what we send.

Browser -> server: {"type": "message", "text": "...", "payload": "/intent"?}, and
{"type": "end"} when the resident presses "End chat".
Server -> browser: {"type": "bot", "text", "buttons"}, {"type": "typing"},
{"type": "history", "messages"}, {"type": "error", "code", "message"}.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from typing import Any

from bot.db.text import plain_text

MAX_FRAME_CHARS = 4_000  # a whole frame, before parsing
MAX_TEXT_CHARS = 2_000  # what a resident may type in one message
MAX_PAYLOAD_CHARS = 200
MAX_BUTTON_TITLE_CHARS = 200

# A button's payload: an intent with optional entities, as Rasa writes them.
_PAYLOAD = re.compile(r"^/[A-Za-z0-9_]{1,80}(\{[^\n]{0,110}\})?$")


class FrameError(ValueError):
    """A frame we refuse; `code` names the reason for the browser and the messages file."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class ResidentMessage:
    """One checked message from the browser: what to show and what Rasa gets."""

    text: str
    payload: str | None = None

    @property
    def for_rasa(self) -> str:
        return self.payload or self.text


def parse_session_id(raw: str | None) -> str:
    """A browser's session id, if it is a canonical UUID; raises FrameError('bad_session')."""
    if not raw or len(raw) != 36:
        raise FrameError("bad_session")
    try:
        parsed = uuid.UUID(raw)
    except ValueError:
        raise FrameError("bad_session") from None
    if str(parsed) != raw:  # lower-case, hyphenated: as crypto.randomUUID() makes them
        raise FrameError("bad_session")
    return str(parsed)


def is_end_of_chat(raw: str | bytes | None) -> bool:
    """True for the frame the widget sends when the resident presses "End chat"."""
    if not isinstance(raw, str) or len(raw) > MAX_FRAME_CHARS:
        return False
    try:
        frame = json.loads(raw)
    except ValueError:
        return False
    return isinstance(frame, dict) and frame.get("type") == "end"


def parse_client_frame(raw: str | bytes | None) -> ResidentMessage:
    """Check one frame from the browser; raises FrameError with a code if unusable."""
    if raw is None:
        raise FrameError("bad_frame")
    if isinstance(raw, bytes):
        raise FrameError("bad_frame")
    if len(raw) > MAX_FRAME_CHARS:
        raise FrameError("too_long")
    try:
        frame = json.loads(raw)
    except ValueError:
        raise FrameError("bad_frame") from None
    if not isinstance(frame, dict) or frame.get("type") != "message":
        raise FrameError("bad_frame")
    text = frame.get("text")
    payload = frame.get("payload")
    if not isinstance(text, str) or (payload is not None and not isinstance(payload, str)):
        raise FrameError("bad_frame")
    text = plain_text(text).strip()
    if not text:
        raise FrameError("empty")
    if len(text) > MAX_TEXT_CHARS:
        raise FrameError("too_long")
    if payload is not None:
        if len(payload) > MAX_PAYLOAD_CHARS or not _PAYLOAD.match(payload):
            raise FrameError("bad_frame")
        text = text[:MAX_BUTTON_TITLE_CHARS]
    return ResidentMessage(text=text, payload=payload)


def bot_frame(text: str | None, buttons: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A bot message for the browser; buttons keep only their title and payload."""
    return {
        "type": "bot",
        "text": text or "",
        "buttons": [
            {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
            for b in (buttons or [])
            if b.get("title")
        ],
    }


def error_frame(code: str, message: str) -> dict[str, Any]:
    return {"type": "error", "code": code, "message": message}
