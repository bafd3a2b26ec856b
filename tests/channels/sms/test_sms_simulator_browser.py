"""The SMS simulator in a real browser: a newcomer texts the assistant and reads the reply.

Debian's chromium through Playwright (never downloads a browser); axe checks the page.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import async_playwright, expect

from tests.channels.sms.sms_support import RecordingBot

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed"),
]


async def test_a_newcomer_texts_the_assistant_reads_the_reply_and_stops(
    sms_server, recording_bot: RecordingBot
) -> None:
    app = await sms_server("outbox")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page()
            await page.goto(app.url("simulator"))
            results = await Axe().run(page)
            assert results.violations_count == 0, results.generate_report()

            await page.get_by_label("Your made-up mobile number").fill("07700 900555")
            await page.get_by_label("Message", exact=True).fill("bin day SW1A 1AA")
            await page.get_by_role("button", name="Send text").click()
            log = page.get_by_role("log")
            await expect(log).to_contain_text("You said: bin day SW1A 1AA", timeout=10_000)
            await expect(log).to_contain_text("1 segment, GSM-7")

            await page.get_by_label("Message", exact=True).fill("STOP")
            await page.keyboard.press("Enter")
            await expect(log).to_contain_text("You will get no more texts", timeout=10_000)
            await page.get_by_label("Message", exact=True).fill("bin day again")
            await page.keyboard.press("Enter")
            await expect(log.locator("p.resident")).to_have_count(3)
            await page.wait_for_timeout(1500)  # more than one poll
            await expect(log.locator("p.council")).to_have_count(2)

            await page.get_by_label("Message", exact=True).fill("")
            await page.get_by_role("button", name="Send text").click()
            await expect(page.get_by_role("alert")).to_have_text("Enter a message")
        finally:
            await browser.close()
    await app.settle()
    assert recording_bot.texts == ["bin day SW1A 1AA"]


@pytest.mark.parametrize("size", [(1280, 800), (320, 640), (320, 200)])
async def test_the_thread_scrolls_by_keyboard_with_no_wcag_22_aa_violations(
    sms_server, recording_bot: RecordingBot, size: tuple[int, int]
) -> None:
    """At 1280 px, 320 px and 400% zoom (320 x 200): a long thread with no links in it is
    a tab stop, and the arrow keys scroll it."""
    app = await sms_server("outbox")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": size[0], "height": size[1]})
            await page.goto(app.url("simulator"))
            log = page.get_by_role("log")
            for n in range(8):
                await page.get_by_label("Message", exact=True).fill(f"message {n}")
                await page.keyboard.press("Enter")
                await expect(log).to_contain_text(f"You said: message {n}", timeout=10_000)
            results = await Axe().run(page)
            assert results.violations_count == 0, results.generate_report()
            thread = page.locator("#thread")
            await page.get_by_label("Your made-up mobile number").focus()
            await page.keyboard.press("Tab")
            await expect(thread).to_be_focused()
            await thread.evaluate("e => { e.scrollTop = e.scrollHeight; }")
            bottom = await thread.evaluate("e => e.scrollTop")
            assert bottom > 0, "the thread is long enough to scroll"
            # Keyboard scrolling may be animated: wait for it to arrive.
            await page.keyboard.press("Home")
            await page.wait_for_function("() => document.getElementById('thread').scrollTop === 0")
            await page.keyboard.press("PageDown")
            await page.wait_for_function("() => document.getElementById('thread').scrollTop > 0")
        finally:
            await browser.close()
