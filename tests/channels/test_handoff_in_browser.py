"""The whole handoff in headless Chromium on the real stack: a resident asks for a person
in the chat widget, an advisor signs in to the staff queue, claims the ticket and replies,
the reply appears in the resident's widget (and stays after a reload), and resolving
returns them to the assistant."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import async_playwright, expect
from sqlalchemy import select

from bot.db.handoff import HandoffTicket
from bot.db.session import session_scope
from tests.channels.handoff_stack import MODEL, STAFF_PASSWORD, handoff_stack
from tests.channels.test_handoff_on_stack import add_advisor
from tests.channels.web.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed"),
    pytest.mark.skipif(not MODEL.exists(), reason="needs the trained model"),
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]
WAIT = 60_000


def waiting_ticket(engine) -> int:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        return session.execute(
            select(HandoffTicket.id).where(HandoffTicket.status == "waiting")
        ).scalar_one()


async def test_a_resident_in_the_widget_gets_an_advisors_reply_and_returns_to_the_assistant(
    migrated_engine, database_url, tmp_path: Path
):
    add_advisor(migrated_engine)
    ARTIFACTS.mkdir(exist_ok=True)
    with handoff_stack(tmp_path, database_url) as [base]:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            resident = await (await browser.new_context()).new_page()
            staff = await (await browser.new_context()).new_page()
            try:
                await resident.goto(base + "/webhooks/webchat/demo/")
                await resident.locator(".cc-launcher").click()
                await resident.locator(".cc-status", has_text="Connected").wait_for()
                await resident.locator("#cc-input").fill("I want to talk to a person")
                await resident.locator("#cc-input").press("Enter")
                await expect(
                    resident.locator(".cc-msg-bot", has_text="in the queue")
                ).to_be_visible(timeout=WAIT)

                ticket = waiting_ticket(migrated_engine)
                await staff.goto(base + "/staff/queue")
                await staff.get_by_label("Username").fill("ann")
                await staff.get_by_label("Password").fill(STAFF_PASSWORD)
                await staff.get_by_role("button", name="Sign in").click()
                await staff.get_by_role("button", name=f"Claim ticket {ticket}").click()
                await expect(staff.get_by_text("I want to talk to a person").first).to_be_visible()
                await expect(resident.locator(".cc-msg-bot", has_text="has joined")).to_be_visible(
                    timeout=WAIT
                )

                await staff.get_by_label("Reply to the resident").fill(
                    "Hello, I'm Ann from the council. How can I help?"
                )
                await staff.get_by_role("button", name="Send reply").click()
                await expect(
                    resident.locator(".cc-msg-bot", has_text="I'm Ann from the council")
                ).to_be_visible(timeout=WAIT)
                await resident.reload()  # the reply is in the conversation's history too
                await resident.locator(".cc-status", has_text="Connected").wait_for()
                await expect(
                    resident.locator(".cc-msg-bot", has_text="I'm Ann from the council")
                ).to_be_visible(timeout=WAIT)

                await staff.get_by_label("Answered").check()
                await staff.get_by_role("button", name="Resolve").click()
                await expect(
                    resident.locator(".cc-msg-bot", has_text="talking to the automated")
                ).to_be_visible(timeout=WAIT)
                await resident.locator("#cc-input").fill("hello")
                await resident.locator("#cc-input").press("Enter")
                await expect(
                    resident.locator(".cc-msg-bot", has_text="automated assistant")
                ).to_have_count(3, timeout=WAIT)  # the bot answers again
                await resident.locator("#cc-input").fill("when is my bin day")
                await resident.locator("#cc-input").press("Enter")
                await expect(
                    resident.locator(".cc-msg-bot", has_text="What's the postcode")
                ).to_be_visible(timeout=WAIT)  # understood as before the handoff
            finally:
                await resident.screenshot(path=str(ARTIFACTS / "handoff_resident.png"))
                await staff.screenshot(path=str(ARTIFACTS / "handoff_staff.png"))
                await browser.close()


async def test_end_chat_in_the_widget_takes_the_resident_out_of_the_queue(
    migrated_engine, database_url, tmp_path: Path
):
    ARTIFACTS.mkdir(exist_ok=True)
    with handoff_stack(tmp_path, database_url) as [base]:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            resident = await (await browser.new_context()).new_page()
            try:
                await resident.goto(base + "/webhooks/webchat/demo/")
                await resident.locator(".cc-launcher").click()
                await resident.locator(".cc-status", has_text="Connected").wait_for()
                await resident.locator("#cc-input").fill("I want to speak to someone")
                await resident.locator("#cc-input").press("Enter")
                await expect(
                    resident.locator(".cc-msg-bot", has_text="in the queue")
                ).to_be_visible(timeout=WAIT)
                ticket = waiting_ticket(migrated_engine)

                await resident.get_by_role("button", name="End chat").click()
                for _ in range(40):
                    with session_scope(migrated_engine) as session:
                        status = session.get(HandoffTicket, ticket).status
                    if status != "waiting":
                        break
                    await resident.wait_for_timeout(250)
                assert status == "cancelled"  # no advisor waits on a chat that has gone

                await resident.locator("#cc-input").fill("when is my bin day")
                await resident.locator("#cc-input").press("Enter")
                await expect(
                    resident.locator(".cc-msg-bot", has_text="What's the postcode")
                ).to_be_visible(timeout=WAIT)
            finally:
                await resident.screenshot(path=str(ARTIFACTS / "handoff_end_chat.png"))
                await browser.close()
