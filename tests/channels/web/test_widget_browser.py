"""The chat widget in a real headless chromium, against the real channel on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.channels.web.browser_helpers import (
    active,
    artifact_name,
    axe_violations,
    bot_says,
    covered_by_chat,
    desktop_page,
    transcript,
)
from tests.channels.web.conftest import ARTIFACTS

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh browser context (empty storage) and page at desktop size."""
    with desktop_page(browser, ARTIFACTS / f"{artifact_name(request.node.name)}.png") as tab:
        yield tab


def open_chat(page: Any) -> None:
    page.locator(".cc-launcher").click()
    page.locator(".cc-status", has_text="Connected").wait_for()


def send(page: Any, text: str) -> None:
    page.locator("#cc-input").fill(text)
    page.locator("#cc-input").press("Enter")


@pytest.mark.parametrize("path", ["/demo/", "/demo/bins", "/demo/accessibility"])
def test_demo_pages_with_the_chat_closed_have_no_wcag_22_aa_violations(
    page: Any, chat_server: Any, path: str
) -> None:
    page.goto(chat_server.base + path)
    page.locator(".cc-launcher").wait_for()
    assert axe_violations(page) == []


def test_the_axe_check_itself_reports_a_planted_violation(page: Any, chat_server: Any) -> None:
    page.goto(chat_server.base + "/demo/")
    page.locator(".cc-launcher").wait_for()
    page.evaluate("() => document.querySelector('main').append(document.createElement('input'))")
    assert any(line.startswith("label") for line in axe_violations(page))


@pytest.mark.parametrize("width", [1280, 320])
def test_an_open_chat_with_buttons_links_and_errors_has_no_wcag_22_aa_violations(
    page: Any, chat_server: Any, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 800 if width > 320 else 640})
    page.goto(chat_server.base + "/demo/")
    open_chat(page)
    send(page, "link")
    bot_says(page, "See https://")
    send(page, "buttons")
    bot_says(page, "Choose one.")
    send(page, "x" * 2000 + "!")  # the widget trims to the limit: no error, a reply
    bot_says(page, "You said: xxx")
    assert axe_violations(page) == []
    page.screenshot(path=str(ARTIFACTS / f"open-chat-{width}.png"))


def test_a_whole_conversation_works_with_the_keyboard_alone(page: Any, chat_server: Any) -> None:
    page.goto(chat_server.base + "/demo/")
    page.locator(".cc-launcher").wait_for()
    for _ in range(40):
        page.keyboard.press("Tab")
        if "cc-launcher" in active(page)["cls"]:
            break
    else:
        pytest.fail("the chat launcher cannot be reached with Tab")
    page.keyboard.press("Enter")
    focused = active(page)
    assert focused["id"] == "cc-input", "focus moves into the chat when it opens"
    assert focused["outline"] != "none" or focused["shadow"] != "none"
    page.keyboard.type("hello council")
    page.keyboard.press("Enter")
    bot_says(page, "You said: hello council")
    page.keyboard.type("buttons")
    page.keyboard.press("Enter")
    bot_says(page, "Choose one.")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    choice = active(page)
    assert choice["text"] == "Yes" and choice["inChat"]
    assert choice["outline"] != "none", "the focused button has a visible focus indicator"
    page.keyboard.press("Enter")
    bot_says(page, "You chose /affirm")
    assert active(page)["id"] == "cc-input"
    # Message bubbles are not tab stops; the only controls in the log are the newest buttons.
    assert page.locator(".cc-log [tabindex], .cc-log .cc-msg:focus").count() == 0
    page.keyboard.press("Escape")
    assert "cc-launcher" in active(page)["cls"], "focus returns to the launcher on close"
    assert page.locator(".cc-panel").is_hidden()
    assert transcript(page)[-1].endswith("You chose /affirm")


def test_tab_can_leave_the_open_chat(page: Any, chat_server: Any) -> None:
    page.goto(chat_server.base + "/demo/")
    open_chat(page)
    left = False
    for _ in range(15):
        page.keyboard.press("Tab")
        if not active(page)["inChat"]:
            left = True
            break
    assert left, "keyboard focus is trapped in the chat"


def test_the_transcript_survives_a_reload_and_moving_to_another_page(
    page: Any, chat_server: Any
) -> None:
    page.goto(chat_server.base + "/demo/")
    open_chat(page)
    send(page, "where is my bin")
    bot_says(page, "You said: where is my bin")
    before = transcript(page)
    page.reload()
    page.locator(".cc-status", has_text="Connected").wait_for()
    assert transcript(page) == before
    page.get_by_role("link", name="Bins and recycling").first.click()
    page.wait_for_url("**/demo/bins")
    page.locator(".cc-status", has_text="Connected").wait_for()
    assert page.locator(".cc-panel").is_visible(), "an open chat stays open across pages"
    assert transcript(page) == before


def test_end_chat_clears_the_transcript_and_starts_a_new_conversation(
    page: Any, chat_server: Any
) -> None:
    page.goto(chat_server.base + "/demo/")
    open_chat(page)
    send(page, "my secret question")
    bot_says(page, "You said: my secret question")
    first_id = page.evaluate("() => Object.entries(localStorage)[0][1]")
    page.get_by_role("button", name="End chat").click()
    assert transcript(page) == []
    assert page.evaluate("() => localStorage.length") == 0
    page.reload()
    page.locator(".cc-status", has_text="Connected").wait_for()  # the chat was left open
    assert transcript(page) == []
    send(page, "a fresh start")
    bot_says(page, "You said: a fresh start")
    assert page.evaluate("() => Object.entries(localStorage)[0][1]") != first_id


def test_the_chat_reconnects_after_a_server_restart_and_sends_what_was_typed_meanwhile(
    page: Any, fresh_chat_server: Any
) -> None:
    page.goto(fresh_chat_server.base + "/demo/")
    open_chat(page)
    send(page, "before")
    bot_says(page, "You said: before")
    fresh_chat_server.stop()
    page.locator(".cc-status", has_text="Trying to reconnect").wait_for()
    send(page, "while offline")
    fresh_chat_server.start()
    bot_says(page, "You said: while offline", timeout=30_000)
    assert transcript(page)[0].endswith("before")


def test_messages_are_shown_as_text_and_only_http_links_become_links(
    page: Any, chat_server: Any
) -> None:
    page.goto(chat_server.base + "/demo/")
    open_chat(page)
    send(page, "<img src=x onerror=\"document.title='pwned'\"> javascript:alert(1)")
    send(page, "link")
    bot_says(page, "See https://")
    log = page.locator(".cc-log")
    assert log.locator("img, b, script").count() == 0
    assert page.title() != "pwned"
    links = log.locator("a")
    assert links.count() == 1
    assert links.first.get_attribute("href") == (
        "https://www.oakbridge.gov.example/bins-and-recycling"
    )
    assert "<b>bold</b>" in log.inner_text()


def test_the_chat_says_it_is_automated_and_links_the_privacy_notice_before_the_first_message(
    page: Any, chat_server: Any
) -> None:
    page.goto(chat_server.base + "/demo/")
    open_chat(page)
    notice = page.locator("#cc-notice")
    assert "automated assistant, not a person" in notice.inner_text()
    assert notice.locator("a").get_attribute("href") == (
        "https://www.oakbridge.gov.example/privacy/assistant"
    )
    assert page.locator(".cc-log").get_attribute("role") == "log"
    assert transcript(page) == []


def test_the_typing_indicator_shows_and_stops_moving_under_reduced_motion(
    browser: Any, chat_server: Any
) -> None:
    for motion, expected in (("no-preference", "cc-bounce"), ("reduce", "none")):
        context = browser.new_context(reduced_motion=motion)
        tab = context.new_page()
        tab.goto(chat_server.base + "/demo/")
        open_chat(tab)
        send(tab, "slow")
        dots = tab.locator(".cc-typing span").first
        dots.wait_for(state="visible")
        assert dots.evaluate("e => getComputedStyle(e).animationName") == expected
        bot_says(tab, "You said: slow")
        assert tab.locator(".cc-typing").is_hidden()
        context.close()


@pytest.mark.parametrize("size", [(1280, 800), (320, 640)])
def test_the_launcher_never_covers_the_focused_part_of_the_page(
    page: Any, chat_server: Any, size: tuple[int, int]
) -> None:
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(chat_server.base + "/demo/")
    page.locator(".cc-launcher").wait_for()
    seen = 0
    for _ in range(30):
        page.keyboard.press("Tab")
        if active(page)["inChat"]:
            break
        seen += 1
        assert not covered_by_chat(page), f"focused {active(page)} is under the chat"
    assert seen > 5


def test_the_launcher_sits_in_the_same_place_on_every_page(page: Any, chat_server: Any) -> None:
    boxes = []
    for path in ("/demo/", "/demo/bins", "/demo/accessibility"):
        page.goto(chat_server.base + path)
        page.locator(".cc-launcher").wait_for()
        boxes.append(
            page.evaluate(
                "() => { const r = document.querySelector('.cc-launcher').getBoundingClientRect();"
                " return [Math.round(innerWidth - r.right), Math.round(innerHeight - r.bottom)]; }"
            )
        )
    assert boxes[0] == boxes[1] == boxes[2]


def test_at_320_pixels_wide_the_open_chat_fits_without_sideways_scrolling(
    page: Any, chat_server: Any
) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(chat_server.base + "/demo/")
    open_chat(page)
    send(page, "a-very-long-word-" * 20)
    bot_says(page, "You said:")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
    for selector in ("#cc-input", ".cc-send", ".cc-end", ".cc-icon-button"):
        box = page.locator(selector).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 320, selector


def test_data_attributes_set_the_name_and_side_and_an_unreadable_colour_is_refused(
    page: Any, chat_server: Any
) -> None:
    host = chat_server.base + "/embed-test"
    page.route(
        host,
        lambda route: route.fulfill(
            content_type="text/html",
            body=(
                "<!DOCTYPE html><html lang='en'><head><title>Embed</title></head><body><main>"
                "<h1>A council page</h1></main>"
                f"<script src='{chat_server.base}/widget.js' data-council-name='Test Town'"
                " data-colour='#ffff00' data-position='left'></script></body></html>"
            ),
        ),
    )
    page.goto(host)
    launcher = page.locator(".cc-launcher")
    launcher.wait_for()
    assert "Ask the Test Town assistant" in launcher.inner_text()
    assert launcher.bounding_box()["x"] < 100
    assert launcher.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(29, 79, 145)"


def test_a_staff_message_arriving_later_is_shown_and_flagged_on_the_closed_launcher(
    page: Any, chat_server: Any
) -> None:
    page.goto(chat_server.base + "/demo/")
    open_chat(page)
    send(page, "later")
    bot_says(page, "You said: later")
    page.locator(".cc-icon-button").click()
    page.locator(".cc-launcher", has_text="new message").wait_for()
    page.locator(".cc-launcher").click()
    bot_says(page, "Staff: hello from the team")


def test_a_page_control_tabbed_to_behind_the_launcher_is_scrolled_clear_of_it(
    page: Any, chat_server: Any
) -> None:
    # A long page whose links fill the whole width, so some sit where the launcher is.
    rows = "".join(
        "<p style='display:flex;justify-content:space-between;margin:0;padding:6px'>"
        + "".join(f"<a href='#r{r}c{c}'>Row {r} link {c}</a>" for c in range(4))
        + "</p>"
        for r in range(60)
    )
    host = chat_server.base + "/long-page-test"
    page.route(
        host,
        lambda route: route.fulfill(
            content_type="text/html",
            body=(
                "<!DOCTYPE html><html lang='en'><head><title>Long</title></head><body><main>"
                f"{rows}</main><script src='{chat_server.base}/widget.js'></script></body></html>"
            ),
        ),
    )
    page.goto(host)
    page.locator(".cc-launcher").wait_for()
    for _ in range(120):
        page.keyboard.press("Tab")
        if active(page)["inChat"]:
            break
        assert not covered_by_chat(page), f"focused {active(page)} is under the launcher"


def test_at_400_percent_zoom_every_chat_control_can_be_scrolled_to_and_fits(
    page: Any, chat_server: Any
) -> None:
    # 1280 x 800 at 400% zoom is a 320 x 200 CSS-pixel window.
    page.set_viewport_size({"width": 320, "height": 200})
    page.goto(chat_server.base + "/demo/")
    open_chat(page)
    send(page, "buttons")
    bot_says(page, "Choose one.")
    page.mouse.move(160, 100)
    for _ in range(10):
        page.mouse.wheel(0, -400)
    page.wait_for_timeout(200)
    for selector in (
        ".cc-icon-button",
        "#cc-notice a",
        ".cc-choice",
        "#cc-input",
        ".cc-send",
        ".cc-end",
        ".cc-footer a",
    ):
        control = page.locator(selector).first
        # Scroll the way a mouse or touch user would (the controls go from top to bottom).
        for _ in range(40):
            box = control.bounding_box()
            if box and box["y"] >= 0 and box["y"] + box["height"] <= 201:  # sub-pixel
                break
            page.mouse.move(160, 100)
            page.mouse.wheel(0, 40)
            page.wait_for_timeout(50)
        else:
            pytest.fail(f"{selector} cannot be scrolled into the 320 x 200 window")
        assert box["x"] >= 0 and box["x"] + box["width"] <= 320, selector
    page.screenshot(path=str(ARTIFACTS / "open-chat-400-percent-zoom.png"))
    assert axe_violations(page) == []


@pytest.fixture
def council_site(tmp_path: Any, chat_server: Any) -> Iterator[str]:
    """A council's own site on another origin (its own HTTP server) with the one script tag."""
    import functools
    import http.server
    import threading

    (tmp_path / "index.html").write_text(
        "<!DOCTYPE html><html lang='en'><head><title>Another council site</title></head>"
        "<body><main><h1>Council tax</h1></main>"
        f"<script src='{chat_server.base}/widget.js'></script></body></html>"
    )
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    finally:
        server.shutdown()
        server.server_close()


def test_the_widget_works_embedded_on_a_site_of_another_origin(
    page: Any, council_site: str
) -> None:
    page.goto(council_site)
    open_chat(page)
    send(page, "hello from another site")
    bot_says(page, "You said: hello from another site")
    before = transcript(page)
    page.reload()
    page.locator(".cc-status", has_text="Connected").wait_for()
    assert transcript(page) == before
