"""The insight dashboard in headless Chromium: it renders the seeded figures, axe finds no
violations, and a screenshot is kept in test-artifacts/ for people to look at."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import async_playwright, expect
from staff_browser import PASSWORD, serving

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "services" / "insight"))
from insight_seed import seed  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
SERVER = Path(__file__).with_name("insight_server.py")
PROJECT_ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed"),
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


@pytest.fixture
def insight_server(database_url, migrated_engine, accounts):
    seed(migrated_engine)
    with serving(SERVER, database_url) as base:
        yield base


async def test_a_supervisor_reads_the_dashboard_in_a_browser(insight_server) -> None:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1100, "height": 900})
            await page.goto(insight_server + "/staff/sign-in")
            await page.get_by_label("Username").fill("sue")
            await page.get_by_label("Password").fill(PASSWORD)
            await page.get_by_role("button", name="Sign in").click()
            await page.goto(insight_server + "/staff/insight?since=2026-11-02&until=2026-11-03")
            await expect(page.get_by_role("heading", level=1)).to_have_text(
                "Insight: what residents asked"
            )
            await expect(page.get_by_role("img", name="Contained rate by day")).to_be_visible()
            await expect(page.get_by_role("img", name="Handoffs by reason")).to_be_visible()
            await page.get_by_text("Handoff reasons as a table").click()
            await expect(page.get_by_role("row", name="Homelessness 1")).to_be_visible()
            results = await asyncio.wait_for(Axe().run(page), 30)
            assert results.violations_count == 0, results.generate_report()
            ARTIFACTS.mkdir(exist_ok=True)
            await page.screenshot(path=str(ARTIFACTS / "insight-dashboard.png"), full_page=True)
            assert (ARTIFACTS / "insight-dashboard.png").stat().st_size > 10_000
        finally:
            await browser.close()
