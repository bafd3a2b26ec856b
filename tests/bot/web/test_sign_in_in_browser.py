"""Being throttled, and a page that is not there, in a real browser (Debian chromium through
Playwright): the person reads when to try again, their own browser still gets in, the 404
page leads back, the favicon loads, and axe finds no violations."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from axe_playwright_python.async_playwright import Axe
from loopback_staff import sign_in, staff_server
from playwright.async_api import async_playwright, expect
from staff_browser import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed"),
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


@pytest.fixture
def server(database_url, migrated_engine, accounts):
    with staff_server(database_url) as base:
        yield base


async def _no_violations(page) -> None:
    results = await asyncio.wait_for(Axe().run(page), 30)
    assert results.violations_count == 0, results.generate_report()


async def _submit_sign_in(page, base: str, username: str) -> None:
    await page.goto(base + "/staff/sign-in")
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()


async def test_a_throttled_account_says_when_and_still_opens_in_its_owners_browser(server):
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            own = await browser.new_context(java_script_enabled=False)
            page = await own.new_page()
            await _submit_sign_in(page, server, "ann")
            await expect(page.get_by_role("heading", name="Queue")).to_be_visible()
            await page.get_by_role("button", name="Sign out").click()
            for _ in range(6):
                with httpx.Client(base_url=server) as attacker:
                    sign_in(attacker, "ann", "a guess at her password")
            other = await (await browser.new_context()).new_page()
            await _submit_sign_in(other, server, "ann")
            alert = other.get_by_role("alert")
            await expect(alert).to_contain_text("There is a problem")
            await expect(alert).to_contain_text(
                "There have been too many attempts to sign in. Try again at"
            )
            await _no_violations(other)
            await _submit_sign_in(page, server, "ann")
            await expect(page.get_by_role("heading", name="Queue")).to_be_visible()
        finally:
            await browser.close()


async def test_a_missing_page_leads_back_and_the_favicon_loads(server):
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await (await browser.new_context()).new_page()
            refused: list[str] = []
            page.on("console", lambda message: refused.append(message.text))
            response = await page.goto(server + "/staff/no-such-page")
            assert response is not None and response.status == 404
            await expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
            await _no_violations(page)
            icon = await page.locator("link[rel=icon]").get_attribute("href")
            assert (await page.request.get(server + icon)).status == 200
            await page.get_by_role("link", name="Go to the staff queue").click()
            await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
            assert not [text for text in refused if "Content Security Policy" in text]
        finally:
            await browser.close()
