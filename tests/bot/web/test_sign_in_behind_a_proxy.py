"""Sign-in throttling behind a TLS proxy, against the real staff server on loopback.

Every request connects from 127.0.0.1, as all requests behind a proxy connect from the
proxy. With TRUSTED_PROXIES=127.0.0.1 the server limits each forwarded address on its own;
without it, X-Forwarded-For is ignored, so an attacker cannot pick a fresh address per try.
"""

from __future__ import annotations

import re

import httpx
import pytest
from loopback_staff import sign_in, staff_server
from sqlalchemy import select

from bot.db.handoff import AuditEntry
from bot.db.session import session_scope

OFFICE = "198.51.100.7"
ATTACKER = "203.0.113.66"


@pytest.fixture
def behind_proxy(database_url, migrated_engine, accounts):
    with staff_server(database_url, TRUSTED_PROXIES="127.0.0.1") as url:
        yield url


@pytest.fixture
def not_trusting(database_url, migrated_engine, accounts):
    with staff_server(database_url) as url:
        yield url


def audited_addresses(engine, action: str) -> set[str]:
    with session_scope(engine) as session:
        details = session.execute(
            select(AuditEntry.detail).where(AuditEntry.action == action)
        ).scalars()
        return {detail.rsplit("ip=", 1)[1] for detail in details}


def test_attacks_from_many_addresses_do_not_lock_out_another(behind_proxy, migrated_engine):
    # 40 failures through the proxy, two each from 20 addresses: none reaches its own limit.
    for attempt in range(40):
        with httpx.Client(base_url=behind_proxy) as attacker:
            address = f"203.0.113.{attempt % 20 + 1}"
            assert sign_in(attacker, f"nobody{attempt}", "guess", address).status_code == 401
    with httpx.Client(base_url=behind_proxy) as bob:
        assert sign_in(bob, "bob", forwarded_for=OFFICE).status_code == 303
        assert "Signed in as bob" in bob.get("/staff/queue").text
    assert audited_addresses(migrated_engine, "sign_in") == {OFFICE}


def test_one_forwarded_address_is_limited_whatever_it_writes_in_the_header(
    behind_proxy, migrated_engine
):
    for attempt in range(20):
        with httpx.Client(base_url=behind_proxy) as attacker:
            # The attacker writes a new address each time; the proxy appends the real one.
            forged = f"192.0.2.{attempt + 1}, {ATTACKER}"
            assert sign_in(attacker, f"nobody{attempt}", "guess", forged).status_code == 401
    with httpx.Client(base_url=behind_proxy) as attacker:
        refused = sign_in(attacker, "bob", forwarded_for=f"192.0.2.99, {ATTACKER}")
        assert refused.status_code == 429
        assert "Try again at" in refused.text
    with httpx.Client(base_url=behind_proxy) as bob:
        assert sign_in(bob, "bob", forwarded_for=OFFICE).status_code == 303
    assert audited_addresses(migrated_engine, "sign_in_refused") == {ATTACKER}
    assert audited_addresses(migrated_engine, "sign_in_rate_limited") == {ATTACKER}


def test_an_attacked_account_still_opens_in_its_owners_browser(behind_proxy):
    ann = httpx.Client(base_url=behind_proxy)
    try:
        assert sign_in(ann, "ann", forwarded_for=OFFICE).status_code == 303
        ann.post("/staff/sign-out", data={"csrf_token": _csrf(ann)})
        for attempt in range(10):
            with httpx.Client(base_url=behind_proxy) as attacker:
                sign_in(attacker, "ann", "guess", f"203.0.113.{attempt + 1}")
        with httpx.Client(base_url=behind_proxy) as stranger:
            assert sign_in(stranger, "ann", forwarded_for=OFFICE).status_code == 429
        assert sign_in(ann, "ann", forwarded_for=OFFICE).status_code == 303
        assert "Signed in as ann" in ann.get("/staff/queue").text
    finally:
        ann.close()


def test_without_trusted_proxies_forwarded_addresses_are_ignored(not_trusting, migrated_engine):
    for attempt in range(20):
        with httpx.Client(base_url=not_trusting) as attacker:
            address = f"203.0.113.{attempt + 1}"
            assert sign_in(attacker, f"nobody{attempt}", "guess", address).status_code == 401
    # Every try counted against the connecting address, whatever the header claimed.
    with httpx.Client(base_url=not_trusting) as bob:
        assert sign_in(bob, "bob", forwarded_for=OFFICE).status_code == 429
    assert audited_addresses(migrated_engine, "sign_in_refused") == {"127.0.0.1"}


def _csrf(client: httpx.Client) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/staff/queue").text)
    assert found
    return found.group(1)
