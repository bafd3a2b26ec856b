"""The whole handoff cycle on the real stack, and the turn after it, in every channel.

A resident asks for a person, the ticket opens, and it ends each way it can: the resident
sends "cancel", the widget's "End chat", an advisor resolves it in the staff queue, or it is
closed without a word to the relay. The resident's next message must be understood as if
there had been no handoff: "when is my bin day" gets the bin-day form's postcode question,
the postcode is taken, and no new ticket opens. One stack (action server, Rasa server with
the trained model, REST, web chat, SMS outbox and staff queue, SQLite with the demo
council) serves every test in this module; each test is its own conversation.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from bot.clock import now
from bot.content import get_content
from bot.db.handoff import AuditEntry, HandoffTicket
from bot.db.session import session_scope
from bot.services.handoff import cancel_by_resident
from tests import rasa_api
from tests.channels.handoff_cycle_support import (
    RestResident,
    SmsResident,
    WebResident,
    stack_with_an_advisor,
    tickets_of,
    tracker_bot_texts,
    tracker_events,
)
from tests.channels.handoff_stack import MODEL

pytestmark = [
    pytest.mark.model,
    pytest.mark.skipif(not MODEL.exists(), reason="needs the trained model"),
]

CONTENT = get_content()
ASK_POSTCODE = CONTENT.text("ask_postcode")
IN_QUEUE = "in the queue"
CANCELLED = CONTENT.text("handoff_cancelled")
HANDED_BACK = CONTENT.text("handoff_handed_back")
NOT_SURE = CONTENT.text("fallback_rephrase")
GIVE_UP = CONTENT.text("fallback_give_up")
GREETING = CONTENT.render("reply_greet").as_text()
WILL_REPLY = CONTENT.text("handoff_person_will_reply")
HOMELESS_HELP = CONTENT.render("urgent_homelessness")
NOWHERE_TO_SLEEP = "I have nowhere to sleep tonight"
# OB2 5JQ has several addresses: the form's next question is which one.
ADDRESS_QUESTION = "What's the house number or name?"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, _database_templates) -> Iterator:
    """The real servers on a copy of the demo council's database, with one advisor."""
    workdir = Path(tmp_path_factory.mktemp("handoff-cycle"))
    with stack_with_an_advisor(workdir, _database_templates.sqlite_file("loaded")) as stack:
        yield stack


def assert_understood_as_before(replies: list[str]) -> None:
    """The bin-day form asked for the postcode, and nothing was misunderstood."""
    assert ASK_POSTCODE in replies, replies
    assert NOT_SURE not in replies and GIVE_UP not in replies, replies


async def hand_over(resident) -> int:  # type: ignore[no-untyped-def]
    """Ask for a person; the id of the ticket that opened."""
    replies = await resident.say("I want to speak to someone")
    assert any(IN_QUEUE in r for r in replies), replies
    [ticket] = [t for t in tickets_of(resident.stack.engine, resident.id) if t.status == "waiting"]
    return ticket.id


async def bin_day_works(resident) -> None:  # type: ignore[no-untyped-def]
    """The turn after: the bin-day form asks for the postcode and takes it."""
    assert_understood_as_before(await resident.say("when is my bin day"))
    after_postcode = await resident.say("OB2 5JQ")
    assert ADDRESS_QUESTION in " ".join(after_postcode), after_postcode


def statuses(stack, resident) -> list[str]:  # type: ignore[no-untyped-def]
    return [t.status for t in tickets_of(stack.engine, resident.id)]


def rest(stack) -> RestResident:  # type: ignore[no-untyped-def]
    resident = RestResident(stack.base)
    resident.stack = stack  # type: ignore[attr-defined]
    return resident


def web(stack) -> WebResident:  # type: ignore[no-untyped-def]
    resident = WebResident(stack.base)
    resident.stack = stack  # type: ignore[attr-defined]
    return resident


def sms(stack) -> SmsResident:  # type: ignore[no-untyped-def]
    resident = SmsResident(stack.base)
    resident.stack = stack  # type: ignore[attr-defined]
    return resident


def paused(stack, conversation_id: str) -> bool:  # type: ignore[no-untyped-def]
    """True while Rasa holds the conversation as handed to a person."""
    state = None
    for event in tracker_events(stack.base, conversation_id):
        if event["event"] in ("pause", "resume"):
            state = event["event"]
    return state == "pause"


# ---- REST ----


async def test_rest_resident_who_cancels_the_handoff_gets_the_bin_day_form_next(stack):
    resident = rest(stack)
    await hand_over(resident)
    assert await resident.say("cancel") == [CANCELLED]
    await bin_day_works(resident)
    assert statuses(stack, resident) == ["cancelled"]


async def test_rest_resident_handed_back_by_staff_gets_the_bin_day_form_next(stack):
    resident = rest(stack)
    ticket = await hand_over(resident)
    assert await resident.say("my bin wasn't collected on Tuesday") == [WILL_REPLY]
    stack.ann.claim_and_resolve(ticket)
    await resident.wait_for(HANDED_BACK)
    await bin_day_works(resident)
    assert statuses(stack, resident) == ["resolved"]


async def test_rest_resident_says_hello_after_the_handoff_and_is_greeted(stack):
    resident = rest(stack)
    await hand_over(resident)
    await resident.say("cancel")
    assert (await resident.say("hello"))[0] == GREETING
    assert statuses(stack, resident) == ["cancelled"]


async def test_rest_resident_can_hand_over_a_second_time_and_come_back_again(stack):
    resident = rest(stack)
    first = await hand_over(resident)
    await resident.say("cancel")
    await bin_day_works(resident)
    await resident.say("7")  # finishes the bin-day form
    second = await hand_over(resident)
    assert second != first
    assert statuses(stack, resident) == ["cancelled", "waiting"]
    ticket = stack.ann.ticket(second)
    assert "I want to speak to someone" in str(ticket)
    stack.ann.claim_and_resolve(second)
    await resident.wait_for(HANDED_BACK)
    await bin_day_works(resident)
    assert statuses(stack, resident) == ["cancelled", "resolved"]


async def test_a_ticket_closed_without_a_word_to_the_resident_still_hands_them_back(stack):
    """Closed in the database only (no "cancel", no "handed back" on the bus): the next
    message is answered by the assistant, not swallowed by a conversation left paused."""
    resident = rest(stack)
    await hand_over(resident)
    with session_scope(stack.engine) as session:
        cancel_by_resident(session, resident.id, now())
    assert paused(stack, resident.id)
    await bin_day_works(resident)
    assert statuses(stack, resident) == ["cancelled"]


async def test_a_handoff_from_inside_the_bin_day_form_leaves_no_half_asked_question(stack):
    """Asked for a person while the form waited for a postcode: after the handoff, the form
    is not waiting any more, so 'hello' is a greeting, not a wrong postcode."""
    resident = rest(stack)
    assert_understood_as_before(await resident.say("when is my bin day"))
    await hand_over(resident)
    await resident.say("cancel")
    assert (await resident.say("hello"))[0] == GREETING
    await bin_day_works(resident)


async def test_rest_resident_with_a_person_who_says_something_urgent_gets_help_at_once(stack):
    resident = rest(stack)
    ticket = await hand_over(resident)
    replies = await resident.say(NOWHERE_TO_SLEEP)
    assert replies[0] == HOMELESS_HELP.as_text()
    assert HOMELESS_HELP.link and HOMELESS_HELP.link in replies[0]
    assert replies[1:] == [WILL_REPLY]
    assert paused(stack, resident.id)  # still with a person: the assistant says no more
    with session_scope(stack.engine) as session:
        saved = session.get(HandoffTicket, ticket)
        assert (saved.priority, saved.status) == ("urgent", "waiting")
        assert (saved.messages[-1].text, saved.messages[-1].intent) == (
            NOWHERE_TO_SLEEP,
            "homelessness",
        )
        audits = session.execute(select(AuditEntry).where(AuditEntry.ticket_id == ticket))
        assert [a.action for a in audits.scalars()] == ["urgent"]
    # A second urgent message: help again, no second escalation.
    again = await resident.say("I'm sleeping on the street")
    assert again[0] == HOMELESS_HELP.as_text()
    await resident.say("cancel")
    await bin_day_works(resident)


async def test_an_ordinary_message_to_a_person_neither_escalates_nor_shows_urgent_help(stack):
    resident = rest(stack)
    ticket = await hand_over(resident)
    assert await resident.say("it's about my council tax bill") == [WILL_REPLY]
    with session_scope(stack.engine) as session:
        assert session.get(HandoffTicket, ticket).priority == "normal"


# ---- web chat (WebSocket) ----


async def test_web_resident_who_cancels_the_handoff_gets_the_bin_day_form_next(stack):
    async with web(stack) as resident:
        await hand_over(resident)
        assert CANCELLED in await resident.say("cancel")
        await bin_day_works(resident)
    assert statuses(stack, resident) == ["cancelled"]


async def test_web_resident_handed_back_by_staff_gets_the_bin_day_form_next(stack):
    async with web(stack) as resident:
        ticket = await hand_over(resident)
        stack.ann.post(f"/staff/api/tickets/{ticket}/claim")
        await resident.wait_for("has joined the conversation")
        stack.ann.post(f"/staff/api/tickets/{ticket}/reply", {"text": "How can I help?"})
        await resident.wait_for("How can I help?")
        stack.ann.post(f"/staff/api/tickets/{ticket}/resolve", {"outcome": "answered"})
        await resident.wait_for(HANDED_BACK)
        assert (await resident.say("hello"))[0] == GREETING
        await bin_day_works(resident)
    assert statuses(stack, resident) == ["resolved"]


async def test_web_resident_who_ends_the_chat_leaves_the_queue(stack):
    """ "End chat" while waiting closes the ticket (staff no longer wait on it) and the old
    conversation is the assistant's again; the new chat works from its first message."""
    async with web(stack) as resident:
        await hand_over(resident)
        # The widget says "your request to talk to a person has been cancelled" on this.
        assert await resident.end_chat() == {"type": "ended", "cancelled": True}
    for _ in range(40):  # the server reads the frame after the socket has closed here
        if statuses(stack, resident) == ["cancelled"] and not paused(stack, resident.id):
            break
        await asyncio.sleep(0.25)
    assert statuses(stack, resident) == ["cancelled"]
    assert not paused(stack, resident.id)
    assert CANCELLED in tracker_bot_texts(stack.base, resident.id)
    async with web(stack) as fresh:
        await bin_day_works(fresh)
        # Ending a chat with no request for a person cancels nothing, and says so.
        assert await fresh.end_chat() == {"type": "ended", "cancelled": False}
    assert statuses(stack, fresh) == []
    async with WebResident(stack.base, resident.session) as old:  # the old chat, reopened
        assert_understood_as_before(await old.say("when is my bin day"))
    assert statuses(stack, resident) == ["cancelled"]


async def test_web_resident_with_a_person_who_says_something_urgent_gets_help_at_once(stack):
    async with web(stack) as resident:
        ticket = await hand_over(resident)
        replies = await resident.say(NOWHERE_TO_SLEEP)
        assert replies[0] == HOMELESS_HELP.as_text()
        assert WILL_REPLY in replies
        assert stack.ann.ticket(ticket)["priority"] == "urgent"
        stack.ann.claim_and_resolve(ticket)
        await resident.wait_for(HANDED_BACK)
        await bin_day_works(resident)


# ---- SMS (simulator, outbox provider) ----


async def test_sms_resident_who_cancels_the_handoff_gets_the_bin_day_form_next(stack):
    resident = sms(stack)
    await hand_over(resident)
    assert CANCELLED in " ".join(await resident.say("cancel"))
    await bin_day_works(resident)
    assert statuses(stack, resident) == ["cancelled"]


async def test_sms_resident_handed_back_by_staff_gets_the_bin_day_form_next(stack):
    resident = sms(stack)
    ticket = await hand_over(resident)
    stack.ann.claim_and_resolve(ticket)
    await resident.wait_for(HANDED_BACK)
    await bin_day_works(resident)
    assert statuses(stack, resident) == ["resolved"]


async def test_sms_resident_with_a_person_who_says_something_urgent_gets_help_at_once(stack):
    resident = sms(stack)
    ticket = await hand_over(resident)
    replies = await resident.say(NOWHERE_TO_SLEEP)
    assert HOMELESS_HELP.text in " ".join(replies)
    assert HOMELESS_HELP.link and HOMELESS_HELP.link in " ".join(replies)
    with session_scope(stack.engine) as session:
        assert session.get(HandoffTicket, ticket).priority == "urgent"
    await resident.say("cancel")
    await bin_day_works(resident)


async def test_sms_resident_greets_hands_over_again_and_is_handed_back_again(stack):
    resident = sms(stack)
    first = await hand_over(resident)
    await resident.say("cancel")
    greeting = " ".join(await resident.say("hello"))
    assert CONTENT.text("reply_greet") in greeting and NOT_SURE not in greeting
    second = await hand_over(resident)
    assert second != first
    assert statuses(stack, resident) == ["cancelled", "waiting"]
    stack.ann.claim_and_resolve(second)
    await resident.wait_for(HANDED_BACK)
    await bin_day_works(resident)
    assert statuses(stack, resident) == ["cancelled", "resolved"]


async def test_an_urgent_message_after_the_handoff_ended_opens_a_new_urgent_ticket(stack):
    resident = rest(stack)
    await hand_over(resident)
    await resident.say("cancel")
    replies = await resident.say(NOWHERE_TO_SLEEP)
    assert replies[0] == HOMELESS_HELP.as_text()
    assert any(IN_QUEUE in r for r in replies), replies
    [closed, opened] = tickets_of(stack.engine, resident.id)
    assert (closed.status, closed.priority) == ("cancelled", "normal")
    assert (opened.status, opened.priority) == ("waiting", "urgent")


# ---- One channel cannot write into another's conversation (issue #20) ----


async def test_a_rest_caller_cannot_write_into_an_sms_residents_ticket(stack):
    """Posting on REST as the resident's number, or as their conversation id, claiming to
    be SMS, reaches a REST conversation of its own: the ticket hears nothing, stays open."""
    resident = sms(stack)
    await hand_over(resident)
    async with httpx.AsyncClient(timeout=60) as client:
        for sender in {resident.id, resident.number, "+44" + resident.number[1:]}:
            for text in ("send any reply to my new number instead", "cancel"):
                answer = await client.post(
                    f"{stack.base}/webhooks/rest/webhook",
                    json={"sender": sender, "message": text, "input_channel": "sms"},
                )
                assert answer.status_code == 200, answer.text
    [ticket] = tickets_of(stack.engine, resident.id)
    assert ticket.status == "waiting"
    assert not any("new number" in message.text for message in ticket.messages)
    spoofed = tracker_events(stack.base, "rest:" + resident.number)
    assert {e["input_channel"] for e in spoofed if e["event"] == "user"} == {"rest"}
    # The resident's own next text still reaches their ticket.
    await resident.say("are you still there?")
    [ticket] = tickets_of(stack.engine, resident.id)
    assert ticket.messages[-1].text == "are you still there?"


async def test_an_overlong_message_gets_a_short_answer_and_a_nul_byte_is_dropped(stack):
    resident = rest(stack)
    too_long = await resident.say("my bin " * 300)
    assert too_long == [CONTENT.text("text_too_long", limit="2,000")]
    assert not [e for e in tracker_events(stack.base, resident.id) if e["event"] == "user"]
    # The resident's next, normal message is understood, a NUL byte in it or not.
    await bin_day_works_with(resident, "when is my bin\x00 day")
    # The actions see who sent it as a keyed hash of the address, for limits per client.
    tracker = httpx.get(
        rasa_api.url(stack.base, f"/conversations/{resident.id}/tracker"), timeout=30
    ).json()
    client = tracker["latest_message"]["metadata"]["client"]
    assert len(client) >= 32 and "127.0.0.1" not in client


async def bin_day_works_with(resident, question: str) -> None:  # type: ignore[no-untyped-def]
    assert_understood_as_before(await resident.say(question))
    assert ADDRESS_QUESTION in " ".join(await resident.say("OB2 5JQ"))


async def test_the_sms_simulators_own_example_finds_addresses_and_the_page_says_texts_stay_here(
    stack,
):
    """The example the simulator page offers is a demo postcode the assistant knows."""
    async with httpx.AsyncClient(timeout=30) as client:
        page = (await client.get(f"{stack.base}/webhooks/sms/simulator")).text
    assert "only kept locally" in page
    [example] = re.findall(r'Try "(bin day [^"]+)"', page)
    replies = await sms(stack).say(example)
    assert ADDRESS_QUESTION in " ".join(replies), replies


# ---- the widget in a real browser (async Playwright: this module's loop is asyncio's) ----


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")
@pytest.mark.parametrize("size", [(1280, 800), (320, 640), (320, 200)])
async def test_in_the_widget_end_chat_in_the_queue_cancels_the_request_and_says_so(
    stack, size: tuple[int, int]
):
    """In handoff, at 1280 px, 320 px and 400% zoom: no axe violations; "End chat" tells the
    resident their request to talk to a person was cancelled, and the ticket is."""
    from axe_playwright_python.async_playwright import Axe
    from playwright.async_api import async_playwright, expect

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": size[0], "height": size[1]})
            page.set_default_timeout(60_000)
            await page.goto(stack.base + "/webhooks/webchat/demo/")
            await page.locator(".cc-launcher").click()
            await expect(page.locator(".cc-status")).to_have_text("Connected")
            await page.locator("#cc-input").fill("I want to speak to someone")
            await page.locator("#cc-input").press("Enter")
            await expect(page.locator(".cc-log")).to_contain_text(IN_QUEUE)
            results = await Axe().run(page)
            assert results.violations_count == 0, results.generate_report()
            session = await page.evaluate(
                "() => Object.entries(localStorage)"
                ".find(([k]) => k.startsWith('council-chat-session:'))[1]"
            )
            resident = WebResident(stack.base, session)
            assert statuses(stack, resident) == ["waiting"]
            await page.get_by_role("button", name="End chat").click()
            await expect(page.locator(".cc-status")).to_contain_text(
                "Your request to talk to a person has been cancelled"
            )
            assert await page.evaluate("() => document.activeElement.id") == "cc-input"
            for _ in range(40):
                if statuses(stack, resident) == ["cancelled"]:
                    break
                await asyncio.sleep(0.25)
            assert statuses(stack, resident) == ["cancelled"]
        finally:
            await browser.close()


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")
async def test_a_resident_at_320_px_holds_a_whole_conversation_by_keyboard_inside_the_chat(stack):
    """Keyboard alone at 320 px with the real assistant: bin day, a person, End chat. Focus
    never leaves the open chat, and Escape takes it back to the launcher."""
    from playwright.async_api import async_playwright, expect

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 320, "height": 640})
            page.set_default_timeout(60_000)
            log = page.locator(".cc-log")

            async def focused() -> dict:
                return await page.evaluate(
                    "() => { const e = document.activeElement; return {id: e.id, "
                    "cls: e.className, text: (e.innerText || '').trim(), "
                    "inChat: !!e.closest('[data-council-chat]')}; }"
                )

            async def type_and_send(text: str, reply: str) -> None:
                assert (await focused())["id"] == "cc-input"
                await page.keyboard.type(text)
                await page.keyboard.press("Enter")
                await expect(log).to_contain_text(reply)

            async def tab_round_the_chat() -> None:
                for _ in range(20):
                    await page.keyboard.press("Tab")
                    now = await focused()
                    assert now["inChat"], f"focus left the chat for {now}"
                    if now["id"] == "cc-input":
                        return
                pytest.fail("Tab never came back round to the message box")

            await page.goto(stack.base + "/webhooks/webchat/demo/")
            for _ in range(40):
                await page.keyboard.press("Tab")
                if "cc-launcher" in (await focused())["cls"]:
                    break
            await page.keyboard.press("Enter")
            await expect(page.locator(".cc-status")).to_have_text("Connected")
            await type_and_send("when is my bin day", ASK_POSTCODE)
            await tab_round_the_chat()
            await type_and_send("OB2 5JQ", ADDRESS_QUESTION)
            await type_and_send("7", "Next collections for 7 Elm Road")
            await tab_round_the_chat()
            await type_and_send("I want to speak to someone", IN_QUEUE)
            await tab_round_the_chat()
            for _ in range(20):
                if (await focused())["text"] == "End chat":
                    break
                await page.keyboard.press("Tab")
                assert (await focused())["inChat"]
            await page.keyboard.press("Enter")
            await expect(page.locator(".cc-status")).to_contain_text("has been cancelled")
            await page.keyboard.press("Escape")
            assert "cc-launcher" in (await focused())["cls"]
        finally:
            await browser.close()
