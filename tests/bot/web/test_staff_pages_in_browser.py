"""The staff pages in a real browser (Debian chromium through Playwright): the essentials
work with JavaScript off; with it on the queue updates live without moving focus, replies and
notes keep the advisor in place, errors take focus; every page fits 320 px, its targets are
24×24 px or more, and axe finds no violations at 1280 px, 320 px and 400% zoom."""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path

import httpx
import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import async_playwright, expect
from staff_browser import PASSWORD, open_ticket, serving

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
SERVER = Path(__file__).with_name("staff_server.py")
PROJECT_ROOT = Path(__file__).resolve().parents[3]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed"),
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


@pytest.fixture
def staff_server(database_url, migrated_engine):
    with serving(SERVER, database_url, "") as base:
        yield base


async def _no_violations(page) -> None:
    results = await asyncio.wait_for(Axe().run(page), 30)
    assert results.violations_count == 0, results.generate_report()


async def _sign_in(page, base: str, username: str) -> None:
    await page.goto(base + "/staff/queue")
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name="Queue")).to_be_visible()


async def test_an_advisor_handles_a_ticket_without_javascript(
    staff_server, migrated_engine, accounts
):
    ticket = open_ticket(migrated_engine, "no-js", "homelessness")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = await browser.new_context(java_script_enabled=False)
            page = await context.new_page()
            await _sign_in(page, staff_server, "ann")
            await page.get_by_role("button", name=f"Claim ticket {ticket}").click()
            await expect(page.get_by_role("heading", level=1)).to_have_text(
                f"Ticket {ticket}: Homelessness"
            )
            await expect(page.get_by_text("Detected intent: Asked for a person")).to_be_visible()
            await page.get_by_label("Reply to the resident").fill("Hello, I'm Ann. I can help.")
            await page.get_by_role("button", name="Send reply").click()
            await expect(page.locator(".turn-staff")).to_contain_text("I can help.")
            await page.get_by_label("Answered").check()
            await page.get_by_role("button", name="Resolve").click()
            await expect(page.get_by_role("status").last).to_contain_text("Ticket resolved")
        finally:
            await browser.close()


async def test_the_queue_updates_live_when_someone_else_claims(
    staff_server, migrated_engine, accounts
):
    ticket = open_ticket(migrated_engine, "live")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page()
            await page.goto(staff_server + "/staff/sign-in")
            await _no_violations(page)  # axe needs JavaScript, so it runs in this test
            await _sign_in(page, staff_server, "sue")
            await _no_violations(page)
            row = page.get_by_role("row").filter(has_text="Paying council tax")
            await expect(row).to_contain_text("Waiting")
            await page.wait_for_timeout(500)  # let the event stream connect
            async with httpx.AsyncClient(base_url=staff_server, timeout=20) as ann:
                token = (await ann.get("/staff/api/session/csrf")).json()["csrf_token"]
                signed = await ann.post(
                    "/staff/api/session",
                    json={"username": "ann", "password": PASSWORD},
                    headers={"X-CSRF-Token": token},
                )
                csrf = signed.json()["csrf_token"]
                claimed = await ann.post(
                    f"/staff/api/tickets/{ticket}/claim", headers={"X-CSRF-Token": csrf}
                )
                assert claimed.status_code == 200
            await expect(row).to_contain_text("Claimed by ann", timeout=10_000)
            await expect(page.locator("#live-status")).to_have_text("Queue updated")
            await page.get_by_role("link", name=f"Open ticket {ticket}").click()
            await expect(page.get_by_label("Give this ticket to")).to_be_visible()
            await _no_violations(page)
        finally:
            await browser.close()


async def _focused_id(page) -> str:
    return await page.evaluate("document.activeElement ? document.activeElement.id : ''")


async def _api_claim(base: str, username: str, ticket: int) -> None:
    """Another member of staff claims `ticket` through the JSON API."""
    async with httpx.AsyncClient(base_url=base, timeout=20) as client:
        token = (await client.get("/staff/api/session/csrf")).json()["csrf_token"]
        signed = await client.post(
            "/staff/api/session",
            json={"username": username, "password": PASSWORD},
            headers={"X-CSRF-Token": token},
        )
        csrf = signed.json()["csrf_token"]
        claimed = await client.post(
            f"/staff/api/tickets/{ticket}/claim", headers={"X-CSRF-Token": csrf}
        )
        assert claimed.status_code == 200


async def test_an_advisor_works_the_live_queue_by_keyboard_without_losing_focus(
    staff_server, migrated_engine, accounts
):
    first = open_ticket(migrated_engine, "first", "council_tax_pay")
    second = open_ticket(migrated_engine, "second", "report_missed_bin")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page()
            await _sign_in(page, staff_server, "ann")
            await page.evaluate("window.stillTheSamePage = true")
            await page.get_by_role("button", name=f"Claim ticket {second}").focus()
            await page.wait_for_timeout(500)  # let the event stream connect

            # A ticket opened by the action server (straight into the database, no bus
            # event on this server) appears within a few seconds; focus stays put.
            third = open_ticket(migrated_engine, "third", "safeguarding_concern")
            new_row = page.get_by_role("row").filter(has_text="Safeguarding concern")
            await expect(new_row).to_be_visible(timeout=6_000)
            await expect(page.locator("#live-status")).to_have_text("Queue updated")
            assert await _focused_id(page) == f"claim-{second}"

            # Someone else claims another ticket: it leaves this advisor's queue, and focus
            # stays on the button the advisor was on.
            await _api_claim(staff_server, "bob", first)
            await expect(page.locator(f"#ticket-{first}")).to_have_count(0, timeout=6_000)
            assert await _focused_id(page) == f"claim-{second}"
            # Someone else claims the very ticket whose button has focus: focus goes to the
            # queue itself, never to the page's body.
            await _api_claim(staff_server, "bob", second)
            await expect(page.locator(f"#ticket-{second}")).to_have_count(0, timeout=6_000)
            assert await _focused_id(page) == "live"
            assert await page.evaluate("window.stillTheSamePage") is True

            # Claiming opens the ticket.
            await page.get_by_role("button", name=f"Claim ticket {third}").focus()
            await page.keyboard.press("Enter")
            await expect(page.get_by_role("heading", level=1)).to_have_text(
                f"Ticket {third}: Safeguarding concern"
            )
        finally:
            await browser.close()


async def test_replying_and_noting_keep_the_advisor_in_the_box_they_were_writing_in(
    staff_server, migrated_engine, accounts
):
    ticket = open_ticket(migrated_engine, "stay", "report_pothole")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1280, "height": 700})
            await _sign_in(page, staff_server, "ann")
            await page.get_by_role("button", name=f"Claim ticket {ticket}").click()
            await expect(page.get_by_role("heading", level=1)).to_have_text(
                f"Ticket {ticket}: Pothole"
            )
            await page.evaluate("window.stillTheSamePage = true")
            reply = page.get_by_label("Reply to the resident")
            await reply.fill("Thanks, I have passed this to the highways team.")
            await page.get_by_role("button", name="Send reply").press("Enter")
            sent = page.locator(".turn-staff").filter(has_text="passed this to the highways team")
            await expect(sent).to_be_visible()
            await expect(sent).to_be_in_viewport()
            await expect(reply).to_be_focused()
            await expect(reply).to_have_value("")
            await expect(page.locator("#live-status")).to_have_text("Reply sent")
            # Straight on to the next reply, from the same box: no reload, no trip to the top.
            await page.keyboard.type("Is there anything else?")
            await page.keyboard.press("Tab")
            await page.keyboard.press("Enter")
            await expect(page.locator(".turn-staff").last).to_contain_text("anything else?")
            await expect(reply).to_be_focused()

            note = page.get_by_label("Internal note")
            await note.fill("Resident sounded worried about cyclists.")
            await page.get_by_role("button", name="Add note").click()
            await expect(page.locator(".turn-note")).to_contain_text("worried about cyclists")
            await expect(note).to_be_focused()
            await expect(note).to_have_value("")
            assert await page.evaluate("window.stillTheSamePage") is True
        finally:
            await browser.close()


async def test_sign_in_and_alert_errors_take_focus_and_lead_to_the_field(
    staff_server, migrated_engine, accounts
):
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page()
            await page.goto(staff_server + "/staff/sign-in")
            await page.get_by_label("Username").fill("ann")
            await page.get_by_label("Password").fill("not the password")
            await page.get_by_role("button", name="Sign in").click()
            summary = page.get_by_role("alert")
            await expect(summary).to_be_focused()
            await expect(summary).to_contain_text("Enter a correct username and password.")
            await expect(page).to_have_title(re.compile("^Error: Sign in"))
            await page.keyboard.press("Tab")  # the first thing after the summary: its link
            await page.keyboard.press("Enter")
            await expect(page.get_by_label("Username")).to_be_focused()
            await _no_violations(page)

            await page.get_by_label("Username").fill("sue")
            await page.get_by_label("Password").fill(PASSWORD)
            await page.get_by_role("button", name="Sign in").click()
            await page.goto(staff_server + "/staff/alerts")
            await page.get_by_label("Areas").fill("nowhere")
            await page.get_by_label("What happened").fill("Collections are a day late.")
            await page.get_by_role("button", name="Check who it reaches").click()
            summary = page.get_by_role("alert")
            await expect(summary).to_be_focused()
            await expect(summary).to_contain_text("is not a postcode district")
            await summary.get_by_role("link").click()
            areas = page.get_by_label("Areas")
            await expect(areas).to_be_focused()
            await expect(areas).to_have_attribute("aria-invalid", "true")
            await _no_violations(page)
        finally:
            await browser.close()


# 400% zoom of a 1280×1024 window leaves a CSS viewport of 320×256.
SIZES = {
    "1280 px": {"width": 1280, "height": 900},
    "320 px": {"width": 320, "height": 640},
    "400% zoom": {"width": 320, "height": 256},
}
SMALL_TARGETS = """() => Array.from(document.querySelectorAll(
    'button, input:not([type=hidden]), select, textarea, summary, a'))
  .filter(e => !e.closest('p') && !e.classList.contains('skip-link'))
  .map(e => [e, e.getBoundingClientRect()])
  .filter(([e, r]) => r.width > 0 && r.height > 0 && (r.width < 24 || r.height < 24))
  .map(([e, r]) => `${e.outerHTML.slice(0, 80)} ${Math.round(r.width)}×${Math.round(r.height)}`)
"""


async def _check_page(page, what: str) -> None:
    """No horizontal scrolling, no target under 24×24 px, no axe violation."""
    wide = await page.evaluate("document.documentElement.scrollWidth")
    width = await page.evaluate("document.documentElement.clientWidth")
    assert wide <= width, f"{what}: {wide} px wide in a {width} px window"
    assert await page.evaluate(SMALL_TARGETS) == [], what
    await _no_violations(page)


@pytest.fixture
def insight_server(database_url, migrated_engine, accounts):
    """A staff server whose tracker store is the same seeded database (for /staff/insight)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "services" / "insight"))
    from insight_seed import seed

    seed(migrated_engine)
    with serving(Path(__file__).with_name("insight_server.py"), database_url) as base:
        yield base


@pytest.mark.parametrize("size", list(SIZES))
async def test_every_staff_page_fits_has_big_targets_and_no_axe_violations(
    insight_server, migrated_engine, accounts, size
):
    open_ticket(migrated_engine, "urgent-one", "safeguarding_concern")
    ticket = open_ticket(migrated_engine, "normal-one", "council_tax_support", channel="sms")
    base = insight_server
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport=SIZES[size])
            await page.goto(base + "/staff/sign-in")
            await _check_page(page, f"sign-in at {size}")
            await page.get_by_label("Username").fill("sue")
            await page.get_by_label("Password").fill("wrong")
            await page.get_by_role("button", name="Sign in").click()
            await expect(page.get_by_role("alert")).to_be_focused()
            await _check_page(page, f"sign-in error at {size}")
            await page.get_by_label("Username").fill("sue")
            await page.get_by_label("Password").fill(PASSWORD)
            await page.get_by_role("button", name="Sign in").click()
            await expect(page.get_by_role("heading", name="Queue")).to_be_visible()
            await expect(page.get_by_text("Text message (SMS)").first).to_be_visible()
            await _check_page(page, f"queue at {size}")
            await page.get_by_role("button", name=f"Claim ticket {ticket}").click()
            await expect(page.get_by_label("Answered")).to_be_visible()
            await _check_page(page, f"ticket at {size}")
            await page.get_by_label("Answered").check()
            await page.get_by_role("button", name="Resolve").click()
            await expect(page.get_by_text("Ticket resolved.")).to_be_visible()
            await page.goto(f"{base}/staff/tickets/{ticket}")  # closed: read-only, no actions
            await expect(page.get_by_text("You can read it, but not reply")).to_be_visible()
            await expect(page.get_by_role("button")).to_have_count(1)  # "Sign out" only
            await _check_page(page, f"closed ticket at {size}")
            await page.goto(base + "/staff/alerts")
            await _check_page(page, f"alerts at {size}")
            await page.get_by_role("button", name="Check who it reaches").click()
            await expect(page.get_by_role("alert")).to_be_focused()
            await _check_page(page, f"alerts error at {size}")
            await page.goto(base + "/staff/insight?since=2026-11-02&until=2026-11-03")
            await expect(page.get_by_role("img", name="Handoffs by reason")).to_be_visible()
            for summary in await page.locator("summary").all():
                await summary.click()  # the tables too
            await _check_page(page, f"insight at {size}")
        finally:
            await browser.close()
