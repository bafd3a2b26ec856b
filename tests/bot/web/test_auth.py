"""Signing in and out, sessions and CSRF of the staff queue (throttling: test_sign_in_throttle)."""

import re

import pytest
from sqlalchemy import select
from staff_browser import PASSWORD, T0, open_ticket

from bot.db.handoff import AuditEntry, StaffAccount
from bot.db.session import session_scope
from bot.web.auth import StaffAccountError, create_staff

PROTECTED_PAGES = ["/staff/queue", "/staff/tickets/1", "/staff/events", "/staff/"]
PROTECTED_API = [
    ("GET", "/staff/api/tickets"),
    ("GET", "/staff/api/tickets/1"),
    ("POST", "/staff/api/tickets/1/claim"),
    ("POST", "/staff/api/tickets/1/reply"),
    ("POST", "/staff/api/tickets/1/notes"),
    ("POST", "/staff/api/tickets/1/resolve"),
    ("POST", "/staff/api/tickets/1/reassign"),
    ("GET", "/staff/api/staff"),
    ("GET", "/staff/api/openapi.json"),
    ("DELETE", "/staff/api/session"),
]


@pytest.mark.parametrize("url", PROTECTED_PAGES)
async def test_pages_send_strangers_to_sign_in(browser, migrated_engine, url):
    open_ticket(migrated_engine)
    response = await browser().get(url)
    if url == "/staff/":
        response = await browser().get("/staff/queue")
    assert response.status == 303
    assert response.headers["location"] == "/staff/sign-in"


@pytest.mark.parametrize(("method", "url"), PROTECTED_API)
async def test_the_api_refuses_strangers(browser, migrated_engine, method, url):
    open_ticket(migrated_engine)
    response = await browser().api(method, url, {"text": "hi"})
    assert response.status == 401
    assert response.json == {"error": "Sign in first."}


async def test_form_posts_from_strangers_change_nothing(browser, migrated_engine, accounts):
    ticket = open_ticket(migrated_engine)
    response = await browser().post(f"/staff/tickets/{ticket}/claim", {"csrf_token": "x"})
    assert response.status == 303
    with session_scope(migrated_engine) as session:
        assert session.get(StaffAccount, accounts["ann"]) is not None
        from bot.db.handoff import HandoffTicket

        assert session.get(HandoffTicket, ticket).claimed_by is None


async def test_sign_in_with_the_right_password_opens_the_queue(browser, accounts):
    ann = browser()
    response = await ann.sign_in("ann")
    assert response.status == 303 and response.headers["location"] == "/staff/queue"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/staff" in cookie
    queue = await ann.get("/staff/queue")
    assert queue.status == 200
    assert "Signed in as ann (advisor)" in queue.text


async def test_cookies_are_secure_unless_settings_allow_local_http(
    migrated_engine, bus, handoff_content, accounts
):
    import uuid

    from sanic import Sanic
    from staff_browser import Browser

    from bot.settings import Settings
    from bot.web import create_staff_blueprint

    app = Sanic(f"secure_{uuid.uuid4().hex[:8]}")
    app.blueprint(create_staff_blueprint(migrated_engine, bus, Settings(), content=handoff_content))
    page = await Browser(app).get("/staff/sign-in")
    assert "Secure" in page.headers["set-cookie"]


async def test_a_wrong_password_is_refused_audited_and_says_what_to_do(
    browser, migrated_engine, accounts
):
    response = await browser().sign_in("ann", "wrong password!!")
    assert response.status == 401
    assert "Enter a correct username and password." in response.text
    with session_scope(migrated_engine) as session:
        entry = session.execute(select(AuditEntry)).scalar_one()
        assert (entry.action, entry.staff_id) == ("sign_in_refused", None)
        assert entry.detail.startswith("ann ip=")


async def test_expired_sessions_are_refused(browser, migrated_engine, accounts):
    from sqlalchemy import update

    from bot.db.handoff import StaffSession

    ann = browser()
    await ann.sign_in("ann")
    with session_scope(migrated_engine) as session:
        session.execute(update(StaffSession).values(expires_at=T0))
    assert (await ann.get("/staff/queue")).status == 303


async def test_sign_in_without_the_form_token_is_refused(browser, accounts):
    ann = browser()
    await ann.get("/staff/sign-in")
    response = await ann.post(
        "/staff/sign-in", {"username": "ann", "password": PASSWORD}, csrf=False
    )
    assert response.status == 403


async def test_posts_without_the_session_csrf_token_are_refused(browser, migrated_engine, accounts):
    ticket = open_ticket(migrated_engine)
    ann = browser()
    await ann.sign_in("ann")
    refused = await ann.post(f"/staff/tickets/{ticket}/claim", csrf=False)
    assert refused.status == 403
    wrong = await ann.post(f"/staff/tickets/{ticket}/claim", {"csrf_token": "forged"})
    assert wrong.status == 403
    api_refused = await ann.api("POST", f"/staff/api/tickets/{ticket}/claim", csrf=False)
    assert api_refused.status == 403
    from bot.db.handoff import HandoffTicket

    with session_scope(migrated_engine) as session:
        assert session.get(HandoffTicket, ticket).claimed_by is None
    assert (await ann.post(f"/staff/tickets/{ticket}/claim")).status == 303


async def test_sign_out_ends_the_session_everywhere(browser, migrated_engine, accounts):
    ann = browser()
    await ann.sign_in("ann")
    old_cookie = ann.client.cookies.get("staff_session")
    response = await ann.post("/staff/sign-out")
    assert response.status == 303
    other = browser()
    other.client.cookies.set("staff_session", old_cookie, path="/staff")
    assert (await other.get("/staff/queue")).status == 303
    with session_scope(migrated_engine) as session:
        actions = session.execute(select(AuditEntry.action).order_by(AuditEntry.id)).scalars()
        assert list(actions) == ["sign_in", "sign_out"]


async def test_api_sign_in_gives_a_csrf_token_for_the_header(browser, migrated_engine, accounts):
    client = browser()
    token = (await client.api("GET", "/staff/api/session/csrf")).json["csrf_token"]
    client.csrf = token
    response = await client.api(
        "POST", "/staff/api/session", {"username": "sue", "password": PASSWORD}
    )
    assert response.status == 200
    client.csrf = response.json["csrf_token"]
    assert (await client.api("GET", "/staff/api/staff")).status == 200


def test_staff_accounts_need_a_valid_name_role_and_long_password(migrated_engine):
    with session_scope(migrated_engine) as session:
        for username, role, password in (
            ("a", "advisor", PASSWORD),
            ("ann smith", "advisor", PASSWORD),
            ("ann", "boss", PASSWORD),
            ("ann", "advisor", "short"),
        ):
            with pytest.raises(StaffAccountError):
                create_staff(session, username, role, password, T0)
        staff = create_staff(session, "Ann", "advisor", PASSWORD, T0)
        assert staff.username == "ann"
        assert staff.password_hash.startswith("$argon2") and PASSWORD not in staff.password_hash
        with pytest.raises(StaffAccountError):
            create_staff(session, "ANN", "advisor", PASSWORD, T0)


def test_pages_carry_no_third_party_resources(browser):
    # The templates load only our own style sheet and script.
    from bot.web.state import TEMPLATES_DIR

    for template in TEMPLATES_DIR.glob("*.html"):
        assert not re.search(r'(src|href)="https?://', template.read_text())
