"""The SMS simulator: text the assistant from a made-up number (local outbox only).

GET  simulator            the phone-like page
GET  simulator/app.js     its script (served separately so the page needs no inline code)
POST simulator            JSON {"from": "07700 900001", "body": "bin day OB2 5JQ"}
GET  simulator/outbox     ?number=07700900001&after=0: the texts sent to that number, as JSON
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.clients.sms.numbers import normalise_number
from bot.clients.sms.provider import MAX_BODY_LENGTH, InboundSms
from bot.db import sms as store
from bot.services.sms_segments import count_segments

if TYPE_CHECKING:
    from channels.sms.channel import SmsInput
    from channels.sms.conversations import SmsConversations

HERE = Path(__file__).resolve().parent
PAGE = HERE / "templates" / "simulator.html"
SCRIPT = HERE / "static" / "simulator.js"
MAX_AFTER_ID = 2**62
_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' "
    "'unsafe-inline'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


def _error(message: str, status: int = 400) -> HTTPResponse:
    return response.json({"error": message}, status=status, headers=_HEADERS)


def _after_id(raw: str | None) -> int | None:
    if raw in (None, ""):
        return 0
    if not raw.isdigit() or len(raw) > 18:
        return None
    return min(int(raw), MAX_AFTER_ID)


def add_routes(bp: Blueprint, channel: SmsInput, conversations: SmsConversations) -> None:
    """Add the simulator's routes to the SMS blueprint (they answer 404 unless the
    channel's provider is the local outbox)."""

    def enabled() -> bool:
        return channel.provider_name == "outbox"

    @bp.route("/simulator", methods=["GET"])
    async def page(_: Request) -> HTTPResponse:
        if not enabled():
            return response.text("Not found", status=404)
        return response.html(PAGE.read_text(encoding="utf-8"), headers=_HEADERS)

    @bp.route("/simulator/app.js", methods=["GET"])
    async def script(_: Request) -> HTTPResponse:
        if not enabled():
            return response.text("Not found", status=404)
        return response.text(
            SCRIPT.read_text(encoding="utf-8"),
            content_type="text/javascript; charset=utf-8",
            headers=_HEADERS,
        )

    @bp.route("/simulator", methods=["POST"])
    async def send(request: Request) -> HTTPResponse:
        if not enabled():
            return response.text("Not found", status=404)
        # JSON only: a cross-site form cannot post it without the page's consent.
        if "application/json" not in request.headers.get("content-type", ""):
            return _error("Send JSON", 415)
        if len(request.body) > 8192:
            return _error("Too large", 413)
        try:
            payload: Any = request.json
        except Exception:
            payload = None
        if not isinstance(payload, dict):
            return _error("Send a JSON object with from and body")
        number = normalise_number(payload.get("from"))
        if number is None:
            return _error("Enter a phone number, like 07700 900001")
        body = payload.get("body")
        if not isinstance(body, str) or not body.strip():
            return _error("Enter a message")
        if len(body) > MAX_BODY_LENGTH:
            return _error(f"Message must be {MAX_BODY_LENGTH} characters or fewer")
        sms = InboundSms("simulator", f"SIM{uuid.uuid4().hex}", number, body.strip())
        status = await conversations.receive(sms)
        return response.json({"status": status, "number": number}, status=202, headers=_HEADERS)

    @bp.route("/simulator/outbox", methods=["GET"])
    async def outbox(request: Request) -> HTTPResponse:
        if not enabled():
            return response.text("Not found", status=404)
        number = normalise_number(request.args.get("number"))
        after = _after_id(request.args.get("after"))
        if number is None or after is None:
            return _error("Give number (a phone number) and after (a message id)")
        texts = await asyncio.to_thread(
            store.outbound_for, channel.engine, channel.hasher(number), after
        )
        return response.json(
            {
                "number": number,
                "messages": [_describe(text) for text in texts],
            },
            headers=_HEADERS,
        )


def _describe(text: store.OutboundText) -> dict[str, Any]:
    info = count_segments(text.body)
    return {
        "id": text.id,
        "body": text.body,
        "status": text.status,
        "sent_at": text.created_at.isoformat(),
        "encoding": info.encoding,
        "characters": info.units,
        "segments": info.segments,
    }
