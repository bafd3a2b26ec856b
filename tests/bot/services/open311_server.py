"""A small Open311 GeoReport v2 endpoint on 127.0.0.1 for the tests.

Answers in the spec's JSON: services.json, POST requests.json (form-encoded),
requests/{id}.json, tokens/{token}.json, and error lists such as
[{"code": 403, "description": "Invalid api_key"}]. Tests switch on failures
(`fail_with`, `raw_body`, `delay`) and read what arrived in `received`.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

DEFAULT_SERVICES: list[dict[str, Any]] = [
    {
        "service_code": "MB01",
        "service_name": "Missed bin collection",
        "description": "A bin that was out on time but not emptied",
        "metadata": False,
        "type": "realtime",
        "keywords": "bin,missed,collection",
        "group": "Waste",
    },
    {
        "service_code": "PH01",
        "service_name": "Pothole",
        "description": "A hole in the road or pavement",
        "metadata": True,
        "type": "realtime",
        "keywords": "road,pothole",
        "group": "Highways",
    },
]
_POSTCODE_AT_END = re.compile(r",\s*([A-Z]{1,2}[0-9][A-Z0-9]?\s*[0-9][A-Z]{2})\s*$", re.I)


@dataclass
class Received:
    """One call as the server saw it."""

    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    content_type: str


@dataclass
class Open311TestServer:
    """Start with `with Open311TestServer() as server:`; `server.url` is the endpoint root."""

    api_key: str = "test-key"
    services: list[dict[str, Any]] = field(default_factory=lambda: list(DEFAULT_SERVICES))
    service_requests: dict[str, dict[str, Any]] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    fail_with: int | None = None  # answer every call with this status and a spec error list
    raw_body: bytes | None = None  # answer every call with these bytes and HTTP 200
    delay: float = 0.0  # seconds to wait before answering
    answer_with_token: bool = False  # POST answers a token, tokens/{token}.json the id
    resolve_tokens: bool = True  # False: tokens/{token}.json answers 404 (id not ready)
    next_id: int = 204117
    _httpd: ThreadingHTTPServer | None = None
    _tokens: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        assert self._httpd is not None, "server not started"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/open311/v2"

    def __enter__(self) -> Open311TestServer:
        handler = type("Handler", (_Handler,), {"endpoint": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        assert self._httpd is not None
        self._httpd.shutdown()
        self._httpd.server_close()

    def add_request(self, service_request_id: str, **fields: Any) -> dict[str, Any]:
        """Store a request in the spec's fields (defaults filled in) and return it."""
        request = {
            "service_request_id": service_request_id,
            "status": "open",
            "status_notes": None,
            "service_name": "Pothole",
            "service_code": "PH01",
            "description": "Deep pothole by the bus stop",
            "agency_responsible": "Oakbridge Highways",
            "service_notice": None,
            "requested_datetime": "2026-11-09T13:00:00Z",
            "updated_datetime": "2026-11-10T09:30:00Z",
            "expected_datetime": None,
            "address": "18 Kingfisher Way, Oakbridge",
            "address_id": None,
            "zipcode": "OB4 2ND",
            "lat": 51.5,
            "long": -0.1,
            "media_url": None,
        }
        request.update(fields)
        self.service_requests[service_request_id] = request
        return request

    # -- answering ----------------------------------------------------------------

    def answer(self, call: Received) -> tuple[int, Any]:
        """The (HTTP status, JSON payload) for one call."""
        params = call.form if call.method == "POST" else call.query
        if params.get("api_key") != self.api_key:
            return 403, [{"code": 403, "description": "Invalid api_key"}]
        path = call.path.removeprefix("/open311/v2")
        if call.method == "GET" and path == "/services.json":
            return 200, self.services
        if call.method == "POST" and path == "/requests.json":
            return self._create(call.form)
        match = re.fullmatch(r"/(requests|tokens)/([^/]+)\.json", path)
        if call.method == "GET" and match and match.group(1) == "requests":
            found = self.service_requests.get(match.group(2))
            if found is None:
                return 404, [{"code": 404, "description": "Service request not found"}]
            return 200, [found]
        if call.method == "GET" and match:
            request_id = self._tokens.get(match.group(2))
            if request_id is None:
                return 404, [{"code": 404, "description": "Token not found"}]
            return 200, [{"service_request_id": request_id, "token": match.group(2)}]
        return 404, [{"code": 404, "description": f"No such method {call.method} {path}"}]

    def _create(self, form: dict[str, str]) -> tuple[int, Any]:
        codes = {service["service_code"]: service for service in self.services}
        if form.get("service_code") not in codes:
            return 400, [{"code": 400, "description": "service_code was not found"}]
        if not form.get("address_string") and not (form.get("lat") and form.get("long")):
            return 400, [{"code": 400, "description": "A location is required"}]
        request_id = str(self.next_id)
        self.next_id += 1
        postcode = _POSTCODE_AT_END.search(form["address_string"])
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.add_request(
            request_id,
            service_code=form["service_code"],
            service_name=codes[form["service_code"]]["service_name"],
            description=form.get("description", ""),
            address=form["address_string"],
            address_id=form.get("address_id"),
            zipcode=postcode.group(1).upper() if postcode else None,
            requested_datetime=now,
            updated_datetime=now,
        )
        notice = "We aim to look at this within 5 working days"
        if self.answer_with_token:
            token = f"tok-{request_id}"
            if self.resolve_tokens:
                self._tokens[token] = request_id
            return 200, [{"token": token, "service_notice": notice, "account_id": None}]
        return 201, [
            {"service_request_id": request_id, "service_notice": notice, "account_id": None}
        ]


class _Handler(BaseHTTPRequestHandler):
    endpoint: Open311TestServer

    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        self._handle("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._handle("POST")

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Quiet: the tests read `received` instead."""

    def _handle(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8") if length else ""
        parts = urlsplit(self.path)
        call = Received(
            method=method,
            path=parts.path,
            query={k: v[0] for k, v in parse_qs(parts.query).items()},
            form={k: v[0] for k, v in parse_qs(body).items()},
            content_type=self.headers.get("Content-Type", ""),
        )
        endpoint = self.endpoint
        endpoint.received.append(call)
        if endpoint.delay:
            time.sleep(endpoint.delay)
        if endpoint.raw_body is not None:
            status, data = 200, endpoint.raw_body
        elif endpoint.fail_with is not None:
            error = [{"code": endpoint.fail_with, "description": "Something went wrong"}]
            status, data = endpoint.fail_with, json.dumps(error).encode()
        else:
            status, payload = endpoint.answer(call)
            data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up first (the timeout tests)
