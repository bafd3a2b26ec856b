"""Sign-in cannot be used to lock staff out: growing waits per account, per client address
and per known device; blocked attempts neither count nor extend a wait; a browser that
signed in before still gets in with the right password. (Behind a proxy, over real HTTP on
loopback: test_sign_in_behind_a_proxy.py.)"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from sanic import Sanic
from sqlalchemy import func, select
from staff_browser import PASSWORD, T0, Browser

from bot.db.handoff import AuditEntry, KnownDevice, SignInAttempt
from bot.db.session import session_scope
from bot.settings import Settings
from bot.web import create_staff_blueprint
from bot.web.known_device import cookie_value, new_device_id


class Clock:
    """The staff app's clock, moved on by the test."""

    def __init__(self) -> None:
        self.time = T0 + timedelta(hours=4)  # 14:00 London, 24 November

    def __call__(self):  # type: ignore[no-untyped-def]
        return self.time

    def wait(self, seconds: float) -> None:
        self.time += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(migrated_engine, bus, handoff_content, clock) -> Sanic:
    app = Sanic(f"throttle_{uuid.uuid4().hex[:8]}")
    app.blueprint(
        create_staff_blueprint(
            migrated_engine, bus, Settings(staff_secure_cookies=False), handoff_content, clock
        )
    )
    return app


def attempts(engine) -> int:
    with session_scope(engine) as session:
        return int(session.execute(select(func.count(SignInAttempt.id))).scalar_one())


async def fail(app: Sanic, username: str = "ann", times: int = 1) -> None:
    for _ in range(times):
        assert (await Browser(app).sign_in(username, "not the password")).status == 401


async def test_after_five_failures_each_wait_doubles_up_to_fifteen_minutes(app, clock, accounts):
    await fail(app, times=5)
    blocked = await Browser(app).sign_in("ann")
    assert blocked.status == 429
    assert blocked.headers["retry-after"] == "30"
    assert "There have been too many attempts to sign in. Try again at 2:01pm." in blocked.text
    waits = []
    for _ in range(8):
        wait = int((await Browser(app).sign_in("ann", "guess")).headers["retry-after"])
        waits.append(wait)
        clock.wait(wait)
        assert (await Browser(app).sign_in("ann", "guess")).status == 401
    assert waits == [30, 60, 120, 240, 480, 900, 900, 900]


async def test_blocked_attempts_neither_count_nor_extend_the_wait(
    app, clock, accounts, migrated_engine
):
    await fail(app, times=5)
    for second in range(29):
        response = await Browser(app).sign_in("ann", "guess")
        assert response.status == 429
        assert response.headers["retry-after"] == str(30 - second)
        clock.wait(1)
    assert attempts(migrated_engine) == 5
    clock.wait(1)
    # Thirty seconds after the fifth failure the person gets in: nothing was added.
    assert (await Browser(app).sign_in("ann")).status == 303
    # The refusals are still audited, with the address they came from.
    with session_scope(migrated_engine) as session:
        refused = session.execute(
            select(func.count(AuditEntry.id)).where(AuditEntry.action == "sign_in_rate_limited")
        ).scalar_one()
    assert refused == 29


async def test_a_browser_that_signed_in_before_still_gets_in(app, clock, accounts):
    ann = Browser(app)
    assert (await ann.sign_in("ann")).status == 303
    assert "staff_device_ann" in ann.client.cookies
    await ann.post("/staff/sign-out")
    # Someone else keeps the account blocked...
    await fail(app, times=5)
    for _ in range(10):
        assert (await Browser(app).sign_in("ann", "guess")).status == 429
    assert (await Browser(app).sign_in("ann")).status == 429
    # ...but ann's own browser, with her password, gets straight in, and can work.
    assert (await ann.sign_in("ann")).status == 303
    assert "Signed in as ann (advisor)" in (await ann.get("/staff/queue")).text


async def test_a_known_browser_that_keeps_failing_loses_its_way_round(app, clock, accounts):
    ann = Browser(app)
    await ann.sign_in("ann")
    await ann.post("/staff/sign-out")
    await fail(app, times=5)
    # Her browser's own mistakes are counted for it...
    for _ in range(5):
        assert (await ann.sign_in("ann", "typo typo typo")).status == 401
    # ...and past five it is treated like any other browser: the account's wait applies.
    assert (await ann.sign_in("ann")).status == 429


async def test_a_known_device_cookie_only_works_for_its_own_account(app, clock, accounts):
    ann = Browser(app)
    await ann.sign_in("ann")
    value = ann.client.cookies.get("staff_device_ann")
    await fail(app, "bob", times=5)
    copied = Browser(app)
    copied.client.cookies.set("staff_device_bob", value, path="/staff")
    assert (await copied.sign_in("bob")).status == 429
    device, expires, signature = value.split(".")
    forged = Browser(app)
    forged.client.cookies.set(
        "staff_device_bob", f"{device}.{int(expires) + 1}.{signature}", path="/staff"
    )
    assert (await forged.sign_in("bob")).status == 429
    # Even signed with the right key (the published development default here), a device id
    # counts only once it has signed in to that account: ann's does not open bob's.
    secret = Settings().identifier_hash_secret
    for device_id in (device, new_device_id()):
        minted = Browser(app)
        value = cookie_value(secret, "bob", device_id, clock())
        minted.client.cookies.set("staff_device_bob", value, path="/staff")
        assert (await minted.sign_in("bob")).status == 429


async def test_each_browser_is_remembered_once(app, clock, accounts, migrated_engine):
    ann = Browser(app)
    for _ in range(3):
        assert (await ann.sign_in("ann")).status == 303
        await ann.post("/staff/sign-out")
    assert (await Browser(app).sign_in("ann")).status == 303
    with session_scope(migrated_engine) as session:
        devices = session.execute(select(func.count(KnownDevice.id))).scalar_one()
    assert devices == 2


async def test_a_known_device_cookie_expires(app, clock, accounts):
    ann = Browser(app)
    await ann.sign_in("ann")
    await ann.post("/staff/sign-out")
    clock.wait(timedelta(days=91).total_seconds())
    await fail(app, times=5)
    assert (await ann.sign_in("ann")).status == 429


async def test_failures_from_one_address_slow_only_that_address(app, clock, accounts):
    bob = Browser(app)
    await bob.sign_in("bob")
    await bob.post("/staff/sign-out")
    for attempt in range(20):
        await fail(app, f"nobody{attempt}")
    # Everyone in tests connects from the same address: a new browser must wait...
    assert (await Browser(app).sign_in("sue")).status == 429
    # ...but bob's known browser still gets in.
    assert (await bob.sign_in("bob")).status == 303
    clock.wait(30)
    assert (await Browser(app).sign_in("sue")).status == 303


async def test_a_success_starts_the_count_again(app, clock, accounts):
    await fail(app, times=4)
    assert (await Browser(app).sign_in("ann")).status == 303
    await fail(app, times=4)
    assert (await Browser(app).sign_in("ann")).status == 303


async def test_failures_are_forgotten_after_a_day(app, clock, accounts):
    await fail(app, times=5)
    clock.wait(timedelta(days=1, seconds=1).total_seconds())
    await fail(app, times=4)
    assert (await Browser(app).sign_in("ann")).status == 303


async def test_the_api_says_when_to_try_again(app, clock, accounts):
    await fail(app, times=5)
    client = Browser(app)
    client.csrf = (await client.api("GET", "/staff/api/session/csrf")).json["csrf_token"]
    response = await client.api(
        "POST", "/staff/api/session", {"username": "ann", "password": PASSWORD}
    )
    assert response.status == 429
    assert response.headers["retry-after"] == "30"
    assert response.json == {
        "error": "There have been too many attempts to sign in. Try again at 2:01pm.",
        "retry_after_seconds": 30,
    }
    clock.wait(30)
    response = await client.api(
        "POST", "/staff/api/session", {"username": "ann", "password": PASSWORD}
    )
    assert response.status == 200
    assert re.fullmatch(r"[\w-]+\.\d+\.[\w-]+", client.client.cookies.get("staff_device_ann"))
