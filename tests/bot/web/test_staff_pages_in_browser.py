"""The staff pages in a real browser (Debian chromium through Playwright): the essentials
work with JavaScript off, the queue updates live with it on, and axe finds no violations."""

from __future__ import annotations

import asyncio
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
                f"Ticket {ticket}: homelessness"
            )
            await expect(page.get_by_text("Detected intent: request_human")).to_be_visible()
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
            row = page.get_by_role("row").filter(has_text="council_tax_pay")
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
