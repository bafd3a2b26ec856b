"""The staff site's small edges, against the real staff server on loopback: bad static paths
are 404 not 500, unknown pages get a plain 404 page, HSTS only over TLS, and a favicon."""

from __future__ import annotations

import http.client
import ssl
import subprocess
from urllib.parse import urlsplit

import httpx
import pytest
from loopback_staff import sign_in, staff_server

HSTS = "max-age=31536000; includeSubDomains"
BAD_STATIC_PATHS = [
    "/staff/static/",
    "/staff/static/%00",
    "/staff/static/staff.css%00",
    "/staff/static/../auth.py",
    "/staff/static/..%2fauth.py",
    "/staff/static/%2e%2e/%2e%2e/settings.py",
    "/staff/static/./staff.css/..",
    "/staff/static/.",
    "/staff/static//etc/passwd",
    "/staff/static/nothing-here.css",
]

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def server(database_url, migrated_engine, accounts):
    with staff_server(database_url, TRUSTED_PROXIES="127.0.0.1") as url:
        yield url


@pytest.fixture
def untrusting_server(database_url, migrated_engine):
    with staff_server(database_url) as url:
        yield url


def raw_get(base: str, path: str, headers: dict[str, str] | None = None):
    """GET exactly this path: no client tidying of dots, slashes or escapes."""
    address = urlsplit(base)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        connection.close()


@pytest.mark.parametrize("path", BAD_STATIC_PATHS)
def test_bad_static_paths_are_not_found(server, path):
    status, headers, body = raw_get(server, path)
    assert status == 404
    assert "Page not found" in body
    assert "SECRET" not in body and "import" not in body


def test_the_shipped_static_files_are_served(server):
    status, headers, body = raw_get(server, "/staff/static/staff.css")
    assert status == 200 and headers["content-type"].startswith("text/css")
    assert "GOV.UK-like" in body
    status, headers, body = raw_get(server, "/staff/static/favicon.svg")
    assert status == 200 and headers["content-type"] == "image/svg+xml"
    assert body.startswith("<svg")


def test_pages_link_the_favicon(server):
    page = httpx.get(f"{server}/staff/sign-in")
    assert '<link rel="icon" href="/staff/static/favicon.svg" type="image/svg+xml">' in page.text


@pytest.mark.parametrize("path", ["/staff/nowhere", "/staff/tickets/abc", "/staff/queue/x/y"])
def test_unknown_pages_get_a_plain_not_found_page_with_a_way_back(server, path):
    response = httpx.get(f"{server}{path}")
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.text
    assert '<a href="/staff/queue">Go to the staff queue</a>' in response.text
    assert '<link rel="stylesheet" href="/staff/static/staff.css">' in response.text
    assert response.headers["x-frame-options"] == "DENY"


def test_unknown_pages_are_not_found_for_staff_too_and_posts_change_nothing(server):
    with httpx.Client(base_url=server) as ann:
        assert sign_in(ann, "ann").status_code == 303
        page = ann.get("/staff/nowhere")
        assert page.status_code == 404 and "Signed in as ann" in page.text
        assert ann.post("/staff/nowhere", data={"a": "b"}).status_code == 404
        # Known pages still work, and still need the session's form token.
        assert ann.get("/staff/queue").status_code == 200
        assert ann.post("/staff/sign-out", data={}).status_code == 403


def test_unknown_api_addresses_answer_in_json(server):
    response = httpx.get(f"{server}/staff/api/nowhere")
    assert response.status_code == 404
    assert response.json() == {"error": "Not found."}


def test_no_hsts_over_plain_http(server, untrusting_server):
    assert "strict-transport-security" not in httpx.get(f"{server}/staff/sign-in").headers
    # Only a trusted proxy may say the browser used TLS.
    spoofed = httpx.get(
        f"{untrusting_server}/staff/sign-in", headers={"X-Forwarded-Proto": "https"}
    )
    assert "strict-transport-security" not in spoofed.headers
    plain = httpx.get(f"{server}/staff/sign-in", headers={"X-Forwarded-Proto": "http"})
    assert "strict-transport-security" not in plain.headers


def test_hsts_when_a_trusted_proxy_says_the_browser_used_tls(server):
    for path in ("/staff/sign-in", "/staff/queue", "/staff/static/staff.css", "/staff/nowhere"):
        response = httpx.get(f"{server}{path}", headers={"X-Forwarded-Proto": "https"})
        assert response.headers["strict-transport-security"] == HSTS, path


def test_hsts_when_served_over_tls_directly(database_url, migrated_engine, tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
        + ["-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    tls = {"STAFF_TLS_CERT": str(cert), "STAFF_TLS_KEY": str(key)}
    with staff_server(database_url, scheme="https", **tls) as url:
        context = ssl.create_default_context(cafile=str(cert))
        context.check_hostname = False
        response = httpx.get(f"{url}/staff/sign-in", verify=context)
        assert response.status_code == 200
        assert response.headers["strict-transport-security"] == HSTS
        # Over TLS an untrusted "http" claim changes nothing.
        claimed = httpx.get(
            f"{url}/staff/sign-in", headers={"X-Forwarded-Proto": "http"}, verify=context
        )
        assert claimed.headers["strict-transport-security"] == HSTS
