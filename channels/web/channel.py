"""The website chat widget's Rasa input channel.

credentials.yml: `channels.web.channel.WebChatInput: {}`.

Routes under /webhooks/webchat/:
  GET  /                 health check
  GET  /widget.js        the widget (one <script> tag embeds it on any page)
  GET  /widget.css       its style sheet (the script loads it)
  WS   /ws?session=ID    the conversation (`web:<ID>` to the assistant, so the id says its
                         channel): JSON frames (see channels/web/frames.py);
                         "End chat" closes a handed-over conversation's ticket
  GET  /demo/, /demo/bins, /demo/accessibility   demo council pages with the widget
  GET  /demo/site.css    the demo pages' style sheet
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import warnings
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from websockets.exceptions import ConnectionClosed

from bot.content import get_content
from bot.council import get_council
from channels import handoff_relay
from channels.client_key import METADATA_KEY, client_key
from channels.request_limits import limit_request_size
from channels.startup_checks import start_rasa_server
from channels.web.assets import build_assets, page_environment, render_demo_page
from channels.web.connections import REGISTRY, ConnectionRegistry
from channels.web.frames import (
    FrameError,
    error_frame,
    is_end_of_chat,
    parse_client_frame,
    parse_session_id,
)
from channels.web.history import load_transcript
from channels.web.output import WebChatOutput
from channels.web.rate_limit import WebChatLimits
from rasa_patches.collector import add_server_listeners

logger = logging.getLogger(__name__)

MAX_SOCKETS_PER_CONVERSATION = 10  # tabs of one chat; more is a runaway script

# Sanic 21.12's WebSocket `recv` passes coroutines to asyncio.wait, which Python 3.10 warns
# about. In `rasa run` DeprecationWarnings are shown "once", but spaCy's entity ruler resets
# the warning registries on every message, so the warning was logged (two lines) for every
# message a resident sent, and formatting it cost the server time on each.
SANIC_RECV_WARNING = "The explicit passing of coroutine objects to asyncio.wait"

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
PAGE_HEADERS = {
    **SECURITY_HEADERS,
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self' ws: wss:; "
        "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
}


# The browser's random session id, with the channel in front: no other channel's
# conversation id can take this shape.
CONVERSATION_PREFIX = "web:"


def conversation_tag(sender_id: str) -> str:
    """A short hash of a session id for logs (the id itself lets anyone read the chat)."""
    return hashlib.sha256(sender_id.encode()).hexdigest()[:12]


class WebChatInput(InputChannel):
    """The chat widget over a plain WebSocket; replies can arrive at any time."""

    @classmethod
    def name(cls) -> str:
        return "webchat"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WebChatInput:
        start_rasa_server()
        return cls()

    def __init__(
        self, registry: ConnectionRegistry | None = None, limits: WebChatLimits | None = None
    ) -> None:
        self.registry = registry or REGISTRY
        self.limits = limits or WebChatLimits()

    def get_output_channel(self) -> OutputChannel:
        """The output channel Rasa uses to push a message later (it reaches open sockets)."""
        return WebChatOutput(self.registry)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The channel's routes; `on_new_message` hands a resident's message to Rasa."""
        on_new_message = handoff_relay.inbound(on_new_message)  # handed over: to the ticket
        warnings.filterwarnings(
            "ignore",
            message=SANIC_RECV_WARNING,
            category=DeprecationWarning,
            module="sanic.server.websockets.impl",
        )
        webchat = Blueprint("webchat_webhook", __name__)
        council = get_council()
        assets = build_assets(get_content(), council)
        pages = page_environment()
        registry, limits = self.registry, self.limits
        output = WebChatOutput(registry)

        add_server_listeners(webchat)  # rasa_patches/collector.py

        @webchat.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webchat.route("/widget.js", methods=["GET"])
        async def widget_script(request: Request) -> HTTPResponse:
            return response.text(
                assets.script,
                content_type="application/javascript; charset=utf-8",
                headers={
                    **SECURITY_HEADERS,
                    "Cache-Control": "public, max-age=300",
                    "Access-Control-Allow-Origin": "*",
                },
            )

        @webchat.route("/widget.css", methods=["GET"])
        async def widget_style(request: Request) -> HTTPResponse:
            return response.text(
                assets.style,
                content_type="text/css; charset=utf-8",
                headers={
                    **SECURITY_HEADERS,
                    "Cache-Control": "public, max-age=300",
                    "Access-Control-Allow-Origin": "*",
                },
            )

        @webchat.route("/demo/site.css", methods=["GET"])
        async def demo_style(request: Request) -> HTTPResponse:
            return response.text(
                assets.site_style, content_type="text/css; charset=utf-8", headers=SECURITY_HEADERS
            )

        def demo(page: str) -> Callable[[Request], Coroutine[Any, Any, HTTPResponse]]:
            async def handler(request: Request) -> HTTPResponse:
                base = request.path[: request.path.index("/demo")]
                return response.html(
                    render_demo_page(pages, page, council, base), headers=PAGE_HEADERS
                )

            handler.__name__ = f"demo_{page}"
            return handler

        webchat.add_route(demo("home"), "/demo/", methods=["GET"], name="demo_home")
        webchat.add_route(demo("bins"), "/demo/bins", methods=["GET"], name="demo_bins")
        webchat.add_route(
            demo("accessibility"),
            "/demo/accessibility",
            methods=["GET"],
            name="demo_accessibility",
        )

        async def send(ws: Any, frame: dict[str, Any]) -> None:
            await ws.send(json.dumps(frame, ensure_ascii=False))

        async def refuse(ws: Any, code: str) -> None:
            await send(ws, error_frame(code, assets.error_message(code)))

        @webchat.websocket("/ws")
        async def conversation(request: Request, ws: Any) -> None:
            try:
                sender_id = CONVERSATION_PREFIX + parse_session_id(request.args.get("session"))
            except FrameError as refused:
                await refuse(ws, refused.code)
                await ws.close(code=1008, reason="invalid session id")
                return
            tag = conversation_tag(sender_id)
            if registry.count(sender_id) >= MAX_SOCKETS_PER_CONVERSATION:
                await refuse(ws, "too_many_tabs")
                await ws.close(code=1008, reason="too many connections")
                return
            client = client_key(request)
            if not limits.open_socket(client):
                logger.warning("webchat %s: too many open chats from one address", tag)
                await refuse(ws, "too_many_tabs")
                await ws.close(code=1008, reason="too many connections")
                return
            registry.add(sender_id, ws)
            try:
                agent = getattr(request.app.ctx, "agent", None)
                history = await load_transcript(getattr(agent, "tracker_store", None), sender_id)
                await send(ws, {"type": "history", "messages": history})
                while True:
                    raw = await ws.recv()
                    if raw is None:
                        break
                    if is_end_of_chat(raw):  # "End chat": a handed-over resident leaves the queue
                        cancelled = await _finish_even_if_closed(
                            handoff_relay.end_chat(sender_id, output)
                        )
                        # The widget tells the resident whether a request for a person ended.
                        await send(ws, {"type": "ended", "cancelled": bool(cancelled)})
                        break
                    try:
                        message = parse_client_frame(raw)
                    except FrameError as refused:
                        await refuse(ws, refused.code)
                        continue
                    if not limits.allow_message(sender_id, client):
                        await refuse(ws, "rate_limited")
                        continue
                    if agent is not None and not agent.is_ready():
                        # Rasa drops messages silently when it has no model loaded.
                        logger.error("webchat %s: no model loaded, message refused", tag)
                        await refuse(ws, "unavailable")
                        continue
                    await _echo_to_other_tabs(registry, sender_id, ws, message.text)
                    await registry.deliver(sender_id, {"type": "typing"})
                    metadata = {METADATA_KEY: client}
                    if message.payload:
                        metadata["webchat_display"] = message.text
                    try:
                        # Shielded: a tab closed mid-turn must not cancel the turn, or Rasa
                        # would let the conversation's next turn in before this one is
                        # saved, and the later save would lose it.
                        await asyncio.shield(
                            on_new_message(
                                UserMessage(
                                    message.for_rasa,
                                    output,
                                    sender_id,
                                    input_channel=self.name(),
                                    metadata=metadata,
                                )
                            )
                        )
                        # The turn is over: stop the typing dots even when nobody answered
                        # (a handed-over conversation waits for a person).
                        await registry.deliver(sender_id, {"type": "idle"})
                    except Exception:
                        logger.exception("webchat %s: the assistant failed on a message", tag)
                        await refuse(ws, "unavailable")
            except ConnectionClosed:
                pass
            finally:
                registry.remove(sender_id, ws)
                limits.close_socket(client)

        limit_request_size(webchat)
        return webchat


_ENDING: set[asyncio.Task[Any]] = set()


async def _finish_even_if_closed(work: Awaitable[Any]) -> Any:
    # Sanic cancels the socket's handler as soon as the browser closes it, which the widget
    # does right after "End chat": leaving the queue must still finish.
    task = asyncio.ensure_future(work)
    _ENDING.add(task)
    task.add_done_callback(_ENDING.discard)
    return await asyncio.shield(task)


async def _echo_to_other_tabs(
    registry: ConnectionRegistry, sender_id: str, origin: Any, text: str
) -> None:
    # The same chat open in another tab shows what the resident typed here.
    for socket in registry.sockets(sender_id):
        if socket is not origin:
            try:
                await socket.send(json.dumps({"type": "user", "text": text}, ensure_ascii=False))
            except ConnectionClosed:
                registry.remove(sender_id, socket)
