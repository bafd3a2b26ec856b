"""The chat widget where it fills the screen (320 px wide, 400% zoom) and its transcript, in
headless chromium against the real channel (the echo server) on loopback.

Full screen, the open chat is a modal dialog: Tab and Shift+Tab stay inside it and Escape
minimises it. At desktop size it stays non-modal (test_widget_browser.py checks that Tab
can leave it). The transcript is a named tab stop that scrolls by keyboard.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.channels.web.browser_helpers import (
    active,
    artifact_name,
    axe_violations,
    bot_says,
    desktop_page,
)
from tests.channels.web.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

PHONE = (320, 640)
ZOOM_400 = (320, 200)  # 1280 x 800 at 400% zoom, in CSS pixels
DESKTOP = (1280, 800)


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    with desktop_page(browser, ARTIFACTS / f"{artifact_name(request.node.name)}.png") as tab:
        yield tab


def at_size(page: Any, size: tuple[int, int]) -> None:
    page.set_viewport_size({"width": size[0], "height": size[1]})


def tab_to_launcher(page: Any) -> None:
    for _ in range(40):
        page.keyboard.press("Tab")
        if "cc-launcher" in active(page)["cls"]:
            return
    pytest.fail("the chat launcher cannot be reached with Tab")


def say_by_keyboard(page: Any, text: str, reply: str) -> None:
    assert active(page)["id"] == "cc-input"
    page.keyboard.type(text)
    page.keyboard.press("Enter")
    bot_says(page, reply)


@pytest.mark.parametrize("size", [PHONE, ZOOM_400], ids=["320px", "400pc-zoom"])
def test_full_screen_the_open_chat_keeps_tab_and_shift_tab_inside_and_escape_minimises(
    page: Any, chat_server: Any, size: tuple[int, int]
) -> None:
    at_size(page, size)
    page.goto(chat_server.base + "/demo/")
    tab_to_launcher(page)
    page.keyboard.press("Enter")
    page.locator(".cc-status", has_text="Connected").wait_for()
    say_by_keyboard(page, "buttons", "Choose one.")
    dialog = page.get_by_role("dialog", name="Oakbridge Borough Council assistant")
    assert dialog.get_attribute("aria-modal") == "true"
    seen = set()
    for _ in range(25):  # more than the chat's tab stops: it must wrap round
        page.keyboard.press("Tab")
        focused = active(page)
        assert focused["inChat"], f"Tab left the full-screen chat for {focused}"
        seen.add((focused["id"], focused["cls"], focused["text"]))
    for _ in range(25):
        page.keyboard.press("Shift+Tab")
        focused = active(page)
        assert focused["inChat"], f"Shift+Tab left the full-screen chat for {focused}"
    assert len(seen) >= 8, "Tab went through every control of the chat, not only some"
    page.keyboard.press("Escape")
    assert "cc-launcher" in active(page)["cls"], "Escape minimises and focus is on the launcher"
    assert page.locator(".cc-panel").is_hidden()


def test_at_desktop_size_the_open_chat_is_not_a_modal_dialog(page: Any, chat_server: Any) -> None:
    page.goto(chat_server.base + "/demo/")
    page.locator(".cc-launcher").click()
    page.locator(".cc-status", has_text="Connected").wait_for()
    assert page.get_by_role("dialog").count() == 0
    assert page.locator(".cc-panel[aria-modal]").count() == 0
    # Narrowing the window makes it modal; widening it again does not leave a trap.
    at_size(page, PHONE)
    page.get_by_role("dialog").wait_for()
    at_size(page, DESKTOP)
    page.wait_for_function("() => !document.querySelector('.cc-panel[aria-modal]')")


@pytest.mark.parametrize("size", [DESKTOP, PHONE, ZOOM_400], ids=["1280px", "320px", "400pc"])
def test_a_transcript_with_no_links_is_a_named_tab_stop_that_scrolls_by_keyboard(
    page: Any, chat_server: Any, size: tuple[int, int]
) -> None:
    at_size(page, size)
    page.goto(chat_server.base + "/demo/")
    page.locator(".cc-launcher").click()
    page.locator(".cc-status", has_text="Connected").wait_for()
    for n in range(8):
        say_by_keyboard(page, f"plain words {n}", f"You said: plain words {n}")
    assert page.locator(".cc-log a, .cc-log button").count() == 0
    assert axe_violations(page) == []
    log = page.get_by_role("log", name="Conversation")
    page.keyboard.press("Shift+Tab")  # from the message box, back to the transcript
    while active(page)["cls"] != "cc-log":
        assert active(page)["inChat"]
        page.keyboard.press("Shift+Tab")
    # At 400% zoom the whole panel scrolls as one page; elsewhere the transcript itself.
    scroller = "document.querySelector('.cc-log')"
    if size == ZOOM_400:
        scroller = "document.querySelector('.cc-panel')"
    page.evaluate(f"() => {{ const s = {scroller}; s.scrollTop = s.scrollHeight; }}")
    page.keyboard.press("Home")
    page.wait_for_function(f"() => {scroller}.scrollTop === 0")
    page.wait_for_timeout(300)  # let an animated scroll finish before the next key
    page.keyboard.press("PageDown")
    page.wait_for_function(f"() => {scroller}.scrollTop > 0")
    assert log.is_visible()


@pytest.mark.parametrize("size", [DESKTOP, PHONE, ZOOM_400], ids=["1280px", "320px", "400pc"])
def test_closed_open_and_mid_conversation_have_no_wcag_22_aa_violations(
    page: Any, chat_server: Any, size: tuple[int, int]
) -> None:
    at_size(page, size)
    page.goto(chat_server.base + "/demo/")
    page.locator(".cc-launcher").wait_for()
    assert axe_violations(page) == [], "closed"
    page.locator(".cc-launcher").click()
    page.locator(".cc-status", has_text="Connected").wait_for()
    assert axe_violations(page) == [], "open, before a message"
    page.locator("#cc-input").fill("buttons")
    page.locator("#cc-input").press("Enter")
    bot_says(page, "Choose one.")
    page.locator("#cc-input").fill("later")  # a staff message follows, as in a handoff
    page.locator("#cc-input").press("Enter")
    bot_says(page, "Staff: hello from the team")
    assert axe_violations(page) == [], "mid-conversation, with a message from staff"


def test_a_whole_conversation_at_320_px_by_keyboard_alone_never_leaves_the_chat(
    page: Any, chat_server: Any
) -> None:
    at_size(page, PHONE)
    page.goto(chat_server.base + "/demo/")
    tab_to_launcher(page)
    page.keyboard.press("Enter")
    page.locator(".cc-status", has_text="Connected").wait_for()
    say_by_keyboard(page, "hello council", "You said: hello council")
    say_by_keyboard(page, "buttons", "Choose one.")
    while active(page)["text"] != "Yes":  # back to the quick replies
        page.keyboard.press("Shift+Tab")
        assert active(page)["inChat"]
    page.keyboard.press("Enter")
    bot_says(page, "You chose /affirm")
    assert active(page)["id"] == "cc-input"
    say_by_keyboard(page, "link", "See https://")
    while active(page)["text"] != "End chat":  # forwards, round the end of the chat
        page.keyboard.press("Tab")
        assert active(page)["inChat"], "focus left the chat"
    page.keyboard.press("Enter")
    page.locator(".cc-status", has_text="Chat ended").wait_for()
    assert active(page)["id"] == "cc-input"
    # The next conversation starts from the keyboard too.
    say_by_keyboard(page, "again", "You said: again")
    page.keyboard.press("Escape")
    assert "cc-launcher" in active(page)["cls"]


def test_by_default_the_widget_uses_the_councils_full_name(page: Any, chat_server: Any) -> None:
    page.goto(chat_server.base + "/demo/")
    launcher = page.get_by_role("button", name="Ask the Oakbridge Borough Council assistant")
    launcher.wait_for()
    launcher.click()
    assert page.get_by_role("heading", name="Oakbridge Borough Council assistant").is_visible()
    page.locator(".cc-status", has_text="Connected").wait_for()
    # With no request for a person, "End chat" says only that the messages were cleared.
    page.get_by_role("button", name="End chat").click()
    page.locator(".cc-status", has_text="Your messages have been cleared").wait_for()
    assert "talk to a person" not in page.locator(".cc-status").inner_text()


def test_the_accessibility_statement_describes_what_these_tests_check(
    page: Any, chat_server: Any
) -> None:
    page.goto(chat_server.base + "/demo/accessibility")
    statement = " ".join(page.locator("main").inner_text().split())
    for claim in (
        "works like a dialog box: Tab and Shift and Tab stay inside the chat",
        "scroll the conversation with the keyboard",
        "320 pixels wide and the equivalent of 400% zoom",
        "focus never leaves the chat",
        'until you choose "Show alert"',
    ):
        assert claim in statement, claim
    assert "if you move to the page behind it, the chat minimises" not in statement
