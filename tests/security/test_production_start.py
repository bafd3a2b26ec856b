"""APP_ENV=production: the real servers refuse unsafe settings, and start with safe ones.

The action server takes calls only with the shared secret, from an internal address.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from bot.db.session import make_engine, session_scope
from bot.demo_staff import active_demo_usernames, ensure_demo_staff
from bot.endpoints import ACTION_SECRET_HEADER
from tests.channels.web.conftest import PROJECT_ROOT
from tests.security.servers import (
    MODEL,
    RASA,
    SHIPPED_CREDENTIALS,
    action_server,
    exits_with,
    rasa_command,
    rasa_server,
    server_env,
)

SECRET = "x" * 43
SAFE = {
    "APP_ENV": "production",
    "IDENTIFIER_HASH_SECRET": "h" * 43,
    "ACTION_SERVER_SECRET": SECRET,
    "STAFF_SECURE_COOKIES": "1",
    "TRUSTED_PROXIES": "127.0.0.1",
    "SMS_PROVIDER": "notify",
    "SMS_PUBLIC_BASE_URL": "https://chat.council.example",
    "NOTIFY_API_KEY": "test_key-" + "2" * 36 + "-" + "3" * 36,  # Notify's key format
    "NOTIFY_INBOUND_TOKEN": "t" * 40,
    "NOTIFY_SMS_TEMPLATE_ID": "-".join("4" * n for n in (8, 4, 4, 4, 12)),
}
PRODUCTION_CHANNELS = {
    name: value
    for name, value in SHIPPED_CREDENTIALS.items()
    if name != "channels.rest_handoff.RestWithHandoffInput"
}


def with_demo_accounts(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with session_scope(engine) as session:
            ensure_demo_staff(session)
    finally:
        engine.dispose()


def demo_accounts(database_url: str) -> list[str]:
    engine = make_engine(database_url)
    try:
        with session_scope(engine) as session:
            return active_demo_usernames(session)
    finally:
        engine.dispose()


@pytest.fixture
def loaded_copy(tmp_path: Path, _database_templates) -> Path:  # type: ignore[no-untyped-def]
    return _database_templates.sqlite_file("loaded")


def test_the_rasa_server_refuses_the_demo_settings_in_production(tmp_path: Path, loaded_copy):
    env = server_env(tmp_path, loaded_copy, APP_ENV="production")
    with_demo_accounts(env["DATABASE_URL"])
    status, said = exits_with(rasa_command(tmp_path, SHIPPED_CREDENTIALS, "--enable-api"), env)
    assert status != 0
    for problem in (
        "IDENTIFIER_HASH_SECRET is the published development default",
        "ACTION_SERVER_SECRET is not set",
        "STAFF_SECURE_COOKIES is off",
        "TRUSTED_PROXIES is empty",
        "The REST channel",
        "SMS_PROVIDER is 'outbox'",
        "--enable-api) without --auth-token",
        "demo staff accounts",
    ):
        assert problem in said, problem


def test_the_rasa_server_refuses_an_open_api_even_with_everything_else_safe(
    tmp_path: Path, loaded_copy
):
    env = server_env(tmp_path, loaded_copy, **SAFE)
    status, said = exits_with(rasa_command(tmp_path, PRODUCTION_CHANNELS, "--enable-api"), env)
    assert status != 0
    assert "will not start with APP_ENV=production" in said
    assert "without --auth-token" in said and "IDENTIFIER_HASH_SECRET" not in said


@pytest.mark.model
@pytest.mark.skipif(not MODEL.exists(), reason="needs the trained model")
def test_safe_production_settings_start_and_the_demo_accounts_can_be_removed(
    tmp_path: Path, loaded_copy
):
    env = server_env(tmp_path, loaded_copy, **SAFE)
    with_demo_accounts(env["DATABASE_URL"])
    status, said = exits_with(rasa_command(tmp_path, PRODUCTION_CHANNELS), env)
    assert status != 0 and "remove-demo" in said
    removed = subprocess.run(
        [sys.executable, "-m", "bot", "staff", "remove-demo"],
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "demo-advisor" in removed.stdout and demo_accounts(env["DATABASE_URL"]) == []
    with rasa_server(tmp_path, env, PRODUCTION_CHANNELS) as server:
        assert httpx.get(server.base + "/webhooks/webchat/demo/", timeout=30).status_code == 200
        assert httpx.get(server.base + "/webhooks/sms/simulator", timeout=30).status_code == 404


def test_make_db_will_not_add_the_demo_accounts_in_production(tmp_path: Path, loaded_copy):
    env = server_env(tmp_path, loaded_copy, APP_ENV="production")
    refused = subprocess.run(
        [sys.executable, "-m", "bot.demo_staff"],
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert refused.returncode != 0 and "published" in refused.stderr
    assert demo_accounts(env["DATABASE_URL"]) == []


def test_the_action_server_refuses_to_start_without_its_secret(tmp_path: Path, loaded_copy):
    env = server_env(tmp_path, loaded_copy, **{**SAFE, "ACTION_SERVER_SECRET": ""})
    status, said = exits_with([RASA, "run", "actions", "--actions", "actions", "--port", "0"], env)
    assert status != 0 and "ACTION_SERVER_SECRET is not set" in said


def test_the_action_server_takes_calls_only_with_the_secret(tmp_path: Path, loaded_copy):
    env = server_env(tmp_path, loaded_copy, **SAFE)
    call = {
        "next_action": "action_no_such_action",
        "sender_id": "rest:x",
        "tracker": {"sender_id": "rest:x", "slots": {}, "events": [], "latest_message": {}},
        "domain": {},
        "version": "3.6.21",
    }
    with action_server(tmp_path, env) as actions:
        webhook = actions.base + "/webhook"
        anonymous = httpx.post(webhook, json=call, timeout=30)
        wrong = httpx.post(webhook, json=call, headers={ACTION_SECRET_HEADER: "guess"}, timeout=30)
        right = httpx.post(webhook, json=call, headers={ACTION_SECRET_HEADER: SECRET}, timeout=30)
        listing = httpx.get(actions.base + "/actions", timeout=30)
        health = httpx.get(actions.base + "/health", timeout=30)
    assert (anonymous.status_code, wrong.status_code, listing.status_code) == (403, 403, 403)
    assert right.status_code == 404  # reached the actions: this one does not exist
    assert "action_no_such_action" in right.text
    assert health.status_code == 200
