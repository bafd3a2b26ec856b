"""One kept HTTP session per action endpoint and event loop, instead of one per call; its
request bodies encoded with ujson."""

from __future__ import annotations

import asyncio
import json
import weakref
from collections.abc import Callable
from functools import wraps
from typing import Any

import aiohttp
import ujson
from rasa.utils.endpoints import EndpointConfig

KEEP_ALIVE_SECONDS = 2.0


class _KeptSession:
    """For `async with endpoint.session() as session`: the kept session, left open after."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self._session

    async def __aexit__(self, *_exc: Any) -> None:
        return None


# Per event loop, per endpoint: the loop's sessions go when the loop does.
_SESSIONS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, Any]] = (
    weakref.WeakKeyDictionary()
)


def json_body(value: Any) -> str:
    """`value` as JSON, as the standard library writes it but for spacing and escapes.

    Every action call sends the whole conversation (each message with its intent ranking):
    ujson, a dependency of Rasa's, encodes it in about 40% of the standard library's time,
    to the same JSON (NaN too; tuples as lists, enums and keys as the standard library
    writes them). Whatever ujson refuses goes to `json.dumps`, which raises as before.
    """
    try:
        return ujson.dumps(value, ensure_ascii=False, escape_forward_slashes=False)
    except (TypeError, ValueError, OverflowError):
        return json.dumps(value)


def _new_session(endpoint: EndpointConfig) -> aiohttp.ClientSession:
    """A session as Rasa's `EndpointConfig.session` makes it, for keeping."""
    from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT

    auth = endpoint.basic_auth
    return aiohttp.ClientSession(
        headers=endpoint.headers,
        auth=aiohttp.BasicAuth(auth["username"], auth["password"]) if auth else None,
        # As Rasa's; a custom action call passes its own (the same 300 s) and is cut off
        # sooner, at ACTION_SERVER_TIMEOUT_SECONDS, by channels/action_failures.py.
        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        connector=aiohttp.TCPConnector(keepalive_timeout=KEEP_ALIVE_SECONDS),
        cookie_jar=aiohttp.DummyCookieJar(),  # each request stands alone, as before
        json_serialize=json_body,
    )


def _kept_session(
    original: Callable[[EndpointConfig], aiohttp.ClientSession],
) -> Callable[[EndpointConfig], Any]:
    @wraps(original)
    def session(self: EndpointConfig) -> Any:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # called outside a loop: Rasa's own behaviour
            return original(self)
        sessions = _SESSIONS.setdefault(loop, {})
        kept = sessions.get(id(self))  # (endpoint, session): the endpoint is held, so is its id
        if kept is None or kept[1].closed:
            kept = sessions[id(self)] = (self, _new_session(self))
        return _KeptSession(kept[1])

    return session


async def close_kept_sessions() -> None:
    """Close this loop's kept sessions (a server stopping calls it)."""
    sessions = _SESSIONS.pop(asyncio.get_running_loop(), {})
    for _endpoint, session in sessions.values():
        await session.close()
