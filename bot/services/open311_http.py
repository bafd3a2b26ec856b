"""One HTTP exchange with an Open311 endpoint, turned into JSON or our exceptions.

Maps: unreachable, timeout, 5xx, 401/403 (our key refused), oversized or
non-JSON answer -> CaseSystemUnavailable; 404 -> RequestNotFound;
400 -> CaseSystemRejected. Error answers in the spec's shape
[{"code": 403, "description": "..."}] are read for the log, also when a
server sends them with HTTP 200.
"""

from __future__ import annotations

import json
import logging
import re
import time
from typing import Any

import requests

from bot.services.case_system import CaseSystemRejected, CaseSystemUnavailable, RequestNotFound
from bot.services.open311_fields import error_descriptions, looks_like_error_list

logger = logging.getLogger(__name__)

MAX_RESPONSE_BYTES = 1_000_000


class Open311Http:
    """Calls below `base_url` with a per-read `timeout` (and twice that for a whole body)."""

    def __init__(self, base_url: str, timeout: float) -> None:
        base_url = (base_url or "").strip().rstrip("/")
        if not re.match(r"^https?://[^\s/?#]+", base_url):
            raise ValueError("The Open311 URL must start with http:// or https://")
        if timeout <= 0:
            raise ValueError("The Open311 timeout must be positive")
        self.base_url = base_url
        self.timeout = float(timeout)
        self._session = requests.Session()

    def close(self) -> None:
        """Release the pooled connections."""
        self._session.close()

    def call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        data: dict[str, str] | None = None,
    ) -> Any:
        """`method` on base_url/`path`; the decoded JSON of a 2xx answer, or raises."""
        deadline = time.monotonic() + 2 * self.timeout
        try:
            # No redirects: they could carry the api_key to another host.
            response = self._session.request(
                method,
                f"{self.base_url}/{path}",
                params=params,
                data=data,
                timeout=self.timeout,
                allow_redirects=False,
                stream=True,
                headers={"Accept": "application/json"},
            )
            with response:
                body = _read_bounded(response, deadline)
        except requests.Timeout as exc:
            logger.warning("Open311 %s %s timed out", method, path)
            raise CaseSystemUnavailable("Open311 did not answer in time") from exc
        except requests.RequestException as exc:
            logger.warning("Open311 %s %s failed: %s", method, path, type(exc).__name__)
            raise CaseSystemUnavailable("Open311 could not be reached") from exc
        code = response.status_code
        if 200 <= code < 300:
            payload = _decode(body)
            if not looks_like_error_list(payload):
                return payload
            code = payload[0]["code"] if isinstance(payload[0]["code"], int) else 500
        _raise_for_error(method, path, code, error_descriptions(body))


def _raise_for_error(method: str, path: str, code: int, reason: str) -> None:
    if code == 404:
        raise RequestNotFound(reason or "not found")
    if code == 400:
        logger.info("Open311 rejected %s %s: %s", method, path, reason)
        raise CaseSystemRejected(reason or "Open311 rejected the request")
    if code in (401, 403):
        logger.error("Open311 refused our api_key (HTTP %s): %s", code, reason)
        raise CaseSystemUnavailable("Open311 refused our credentials (check the api_key)")
    logger.warning("Open311 %s %s answered HTTP %s: %s", method, path, code, reason)
    raise CaseSystemUnavailable(f"Open311 answered HTTP {code}")


def _read_bounded(response: requests.Response, deadline: float) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_content(chunk_size=65536):
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            raise CaseSystemUnavailable("Open311 answer is too large")
        if time.monotonic() > deadline:
            raise CaseSystemUnavailable("Open311 answer took too long")
        chunks.append(chunk)
    return b"".join(chunks)


def _decode(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        logger.warning("Open311 answered with something that is not JSON")
        raise CaseSystemUnavailable("Open311 answer is not valid JSON") from exc
