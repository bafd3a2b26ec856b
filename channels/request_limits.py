"""The largest request body the Rasa server reads: 64 KB, not Sanic's 100 MB.

Sanic reads a whole body before any handler can check it, so the limit is set on the app
(REQUEST_MAX_SIZE; Sanic answers 413 past it). The biggest honest request is a staff form
or a provider's webhook, a few KB; the channels keep their own, smaller limits too.
With Rasa's API on, model uploads (PUT /model) are refused too: load models from disk.
"""

from __future__ import annotations

from typing import Any

from sanic import Blueprint

REQUEST_MAX_BYTES = 64 * 1024


def limit_request_size(blueprint: Blueprint, max_bytes: int = REQUEST_MAX_BYTES) -> None:
    """Set the app's body limit before it serves (each channel calls this; same value)."""

    @blueprint.listener("before_server_start")
    async def set_limit(app: Any, _loop: Any) -> None:
        app.config.REQUEST_MAX_SIZE = max_bytes
