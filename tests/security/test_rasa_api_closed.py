"""The Rasa HTTP API is closed: off in `make run`, and behind a token when it is on.

Attacks from issue #20, against the real `rasa run` with the shipped channels: reading a
resident's conversation, making the council text anyone (a bot event with
execute_side_effects and output_channel=sms), unloading or replacing the model, and the
same requests as `text/plain` from another web page (no CORS preflight).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.db.session import make_engine
from tests import rasa_api
from tests.security.servers import (
    MODEL,
    SHIPPED_CREDENTIALS,
    Server,
    rasa_server,
    server_env,
)

pytestmark = [
    pytest.mark.model,
    pytest.mark.skipif(not MODEL.exists(), reason="needs the trained model"),
]
RESIDENT = "+447700900999"
# Every route of Rasa's API that must need the token (rasa/server.py); "/" and "/version"
# are public in Rasa and say only the version.
API_ROUTES = [
    ("GET", "/status"),
    ("GET", f"/conversations/{RESIDENT}/tracker"),
    ("POST", f"/conversations/{RESIDENT}/tracker/events"),
    ("PUT", f"/conversations/{RESIDENT}/tracker/events"),
    ("GET", f"/conversations/{RESIDENT}/story"),
    ("POST", f"/conversations/{RESIDENT}/execute"),
    ("POST", f"/conversations/{RESIDENT}/trigger_intent"),
    ("POST", f"/conversations/{RESIDENT}/predict"),
    ("POST", f"/conversations/{RESIDENT}/messages"),
    ("POST", "/model/train"),
    ("POST", "/model/test/stories"),
    ("POST", "/model/test/intents"),
    ("POST", "/model/predict"),
    ("POST", "/model/parse"),
    ("PUT", "/model"),
    ("DELETE", "/model"),
    ("GET", "/domain"),
]
PHISHING = (
    '[{"event": "bot", "text": "Your council tax is overdue, pay at https://evil.example/pay"}]'
)
SEND_AS_SMS = "?execute_side_effects=true&output_channel=sms"


def outbox_count(database_url: str) -> int:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return int(connection.exec_driver_sql("SELECT count(*) FROM sms_outbound").scalar())
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Path(tmp_path_factory.mktemp("rasa-api"))


@pytest.fixture(scope="module")
def demo_server(workdir: Path, _database_templates) -> Iterator[Server]:  # type: ignore[no-untyped-def]
    """As `make run` starts it (scripts/run.sh): the shipped channels, no API flags."""
    env = server_env(workdir, _database_templates.sqlite_file("loaded"))
    with rasa_server(workdir, env, SHIPPED_CREDENTIALS) as server:
        server.database_url = env["DATABASE_URL"]  # type: ignore[attr-defined]
        yield server


@pytest.fixture(scope="module")
def api_server(tmp_path_factory: pytest.TempPathFactory, _database_templates) -> Iterator[Server]:  # type: ignore[no-untyped-def]
    """With the API asked for, as scripts do: --enable-api and a token."""
    workdir = Path(tmp_path_factory.mktemp("rasa-api-token"))
    env = server_env(workdir, _database_templates.sqlite_file("loaded"))
    with rasa_server(workdir, env, SHIPPED_CREDENTIALS, *rasa_api.FLAGS) as server:
        server.database_url = env["DATABASE_URL"]  # type: ignore[attr-defined]
        yield server


@pytest.mark.parametrize(("method", "path"), API_ROUTES)
def test_make_run_serves_no_api_route(demo_server: Server, method: str, path: str):
    answer = httpx.request(method, demo_server.base + path, content=PHISHING, timeout=30)
    assert answer.status_code == 404, (method, path, answer.text)


@pytest.mark.parametrize(("method", "path"), API_ROUTES)
def test_with_the_api_on_every_route_needs_the_token(api_server: Server, method: str, path: str):
    anonymous = httpx.request(method, api_server.base + path, content=PHISHING, timeout=30)
    wrong = httpx.request(
        method, f"{api_server.base}{path}?token=guess", content=PHISHING, timeout=30
    )
    assert (anonymous.status_code, wrong.status_code) == (401, 401), (method, path)


def test_the_token_opens_the_api(api_server: Server):
    answer = httpx.get(
        rasa_api.url(api_server.base, f"/conversations/{RESIDENT}/tracker"), timeout=30
    )
    assert answer.status_code == 200 and answer.json()["sender_id"] == RESIDENT


@pytest.mark.parametrize("server_name", ["demo_server", "api_server"])
def test_a_web_page_cannot_make_the_council_send_a_text(
    request: pytest.FixtureRequest, server_name: str
):
    """A cross-origin `text/plain` POST (a "simple" request, no preflight) sends nothing."""
    server = request.getfixturevalue(server_name)
    before = outbox_count(server.database_url)
    answer = httpx.post(
        f"{server.base}/conversations/{RESIDENT}/tracker/events{SEND_AS_SMS}",
        content=PHISHING,
        headers={"Content-Type": "text/plain", "Origin": "https://evil.example"},
        timeout=30,
    )
    assert answer.status_code in (401, 404)
    assert "access-control-allow-origin" not in answer.headers
    assert outbox_count(server.database_url) == before


def test_the_model_cannot_be_unloaded_without_the_token(api_server: Server):
    assert httpx.delete(api_server.base + "/model", timeout=30).status_code == 401
    # Still there for the token holder: the same question answers as before.
    status = httpx.get(rasa_api.url(api_server.base, "/status"), timeout=30)
    assert status.status_code == 200 and status.json()["model_file"]


@pytest.mark.parametrize(
    "path",
    ["/webhooks/rest/webhook", "/webhooks/sms/simulator", "/webhooks/sms/twilio", "/staff/sign-in"],
)
def test_a_big_body_is_refused_before_it_is_read(demo_server: Server, path: str):
    """Sanic would read 100 MB; the servers stop at 64 KB (channels/request_limits.py)."""
    big = b'{"sender": "x", "message": "' + b"a" * 200_000 + b'"}'
    answer = httpx.post(
        demo_server.base + path,
        content=big,
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert answer.status_code == 413
    # The server goes on answering.
    assert httpx.get(demo_server.base + "/", timeout=30).status_code == 200


def test_an_unknown_address_gets_a_plain_page_and_the_icon_is_served(demo_server: Server):
    for path in ("/nothing-here", "/webhooks/sms/nothing", "/webhooks/webchat/demo/nope"):
        page = httpx.get(demo_server.base + path, timeout=30)
        assert page.status_code == 404, path
        assert "<h1>Page not found</h1>" in page.text and "Traceback" not in page.text
    api_caller = httpx.get(
        demo_server.base + "/nothing", headers={"Accept": "application/json"}, timeout=30
    )
    assert api_caller.status_code == 404 and api_caller.json() == {"error": "not_found"}
    icon = httpx.get(demo_server.base + "/favicon.ico", timeout=30)
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/svg+xml"
    assert icon.content.startswith(b"<svg")
    # The staff site keeps its own page, in its own style.
    staff = httpx.get(demo_server.base + "/staff/nothing-here", timeout=30)
    assert staff.status_code == 404 and "staff queue" in staff.text
