"""The service alerts banner in headless chromium, against the real `rasa run` with the web
chat and notifications channels and a migrated SQLite database: a supervisor's alert shows in
the open chat and on the launcher, meets WCAG 2.2 AA, can be hidden, and a missing or failing
feed leaves the chat exactly as it was."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete
from sqlalchemy.engine import Engine

from bot import clock
from bot.db.notifications import ServiceAlert
from bot.db.session import make_engine, session_scope
from bot.demo_data import prepare_demo_database
from bot.services.alerts import create_alert, parse_areas
from tests.channels.web.browser_helpers import (
    active,
    artifact_name,
    axe_violations,
    bot_says,
    desktop_page,
)
from tests.channels.web.conftest import ARTIFACTS
from tests.channels.web.rasa_server import rasa_server

pytestmark = pytest.mark.browser
SNOW = "Collections on Monday round A are suspended today because of snow."
PHONES = "Our phone lines are down until 2pm. Use the website to report a problem."


@dataclass
class AlertsServer:
    base: str  # http://127.0.0.1:PORT
    engine: Engine

    @property
    def demo(self) -> str:
        return self.base + "/webhooks/webchat/demo/"

    def publish(self, areas: str, message: str) -> int:
        """Publish a live alert straight into the server's database, as /staff/alerts does."""
        now = clock.now()
        with session_scope(self.engine) as session:
            return create_alert(
                session,
                message=message,
                areas=parse_areas(session, areas),
                topics=("bins",),
                starts_at=now - timedelta(minutes=5),
                ends_at=now + timedelta(hours=2),
                created_by="sue",
                now=now - timedelta(minutes=5),
            ).id

    def clear(self) -> None:
        with session_scope(self.engine) as session:
            session.execute(delete(ServiceAlert))


@pytest.fixture(scope="module")
def alerts_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AlertsServer]:
    """`rasa run` (no model) with the notifications channel on a migrated, loaded SQLite."""
    workdir = tmp_path_factory.mktemp("alerts")
    url = f"sqlite:///{workdir / 'council.db'}"
    prepare_demo_database(url)
    engine = make_engine(url)
    try:
        with rasa_server(workdir, None, notifications_database=url) as base:
            yield AlertsServer(base, engine)
    finally:
        engine.dispose()


@pytest.fixture
def server(alerts_server: AlertsServer) -> AlertsServer:
    """The shared server with no alerts published yet."""
    alerts_server.clear()
    return alerts_server


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh browser context (empty storage and cache) and page at desktop size."""
    screenshot = ARTIFACTS / f"alerts-{artifact_name(request.node.name)}.png"
    with desktop_page(browser, screenshot, timeout_ms=15_000) as tab:
        yield tab


def launcher_name(page: Any) -> str:
    return " ".join(page.locator(".cc-launcher").inner_text().split())  # while it shows


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def open_chat(page: Any) -> None:
    page.locator(".cc-launcher").click()
    page.locator(".cc-status", has_text="Connected").wait_for()


def banner(page: Any) -> Any:
    return page.get_by_role("region", name="Service alerts")


def test_live_alerts_show_in_the_open_chat_and_on_the_launcher(
    page: Any, server: AlertsServer
) -> None:
    server.publish("council", PHONES)
    server.publish("round:MON-A", SNOW)
    page.goto(server.demo)
    launcher = page.get_by_role(
        "button", name="Ask the Oakbridge Borough Council assistant – 2 service alerts"
    )
    launcher.wait_for()
    open_chat(page)
    # Two alerts take more than a third of the panel: one line each until "Show alert".
    banner(page).get_by_role("button", name="Show alert").click()
    alerts = banner(page).get_by_role("listitem")
    assert alerts.count() == 2
    assert lines(alerts.nth(0).inner_text()) == [SNOW, "Where: Monday round A", "Hide alert"]
    assert lines(alerts.nth(1).inner_text())[:2] == [
        PHONES,
        "Where: everywhere in Oakbridge Council",
    ]
    assert banner(page).get_by_role("heading", name="Service alerts").is_visible()
    # Above the transcript, inside the panel.
    assert banner(page).bounding_box()["y"] < page.locator(".cc-log").bounding_box()["y"]


@pytest.mark.parametrize("size", [(1280, 800), (320, 640), (320, 200)])
def test_the_banner_has_no_wcag_22_aa_violations_and_fits_small_and_zoomed_windows(
    page: Any, server: AlertsServer, size: tuple[int, int]
) -> None:
    server.publish("OB1 2, round:TUE-B", SNOW)
    server.publish("council", PHONES + " " + "A-very-long-word-" * 8)
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(server.demo)
    page.locator(".cc-alert-badge").wait_for()
    assert axe_violations(page) == [], "with the launcher flagging alerts"
    open_chat(page)
    banner(page).wait_for()
    assert axe_violations(page) == [], "with the banner open"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= size[0]
    hide = page.get_by_role("button", name="Hide alert").last
    hide.scroll_into_view_if_needed()
    box = hide.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= size[0]
    assert box["y"] >= 0 and box["y"] + box["height"] <= size[1] + 1
    text = banner(page).locator(".cc-alert-text").first
    colours = text.evaluate(
        "e => [getComputedStyle(e).color, getComputedStyle(e.closest("
        "'.cc-alerts')).backgroundColor]"
    )
    assert colours == ["rgb(11, 12, 12)", "rgb(255, 247, 191)"]  # over 15:1
    page.screenshot(path=str(ARTIFACTS / f"alerts-banner-{size[0]}x{size[1]}.png"))


def test_a_hidden_alert_stays_hidden_after_a_reload_and_focus_moves_on(
    page: Any, server: AlertsServer
) -> None:
    server.publish("council", PHONES)
    server.publish("round:MON-A", SNOW)
    page.goto(server.demo)
    page.locator(".cc-alert-badge").wait_for()
    open_chat(page)
    first = banner(page).get_by_role("button", name="Hide alert").first
    assert first.get_attribute("aria-describedby")  # its name is told apart by the alert text
    first.focus()
    page.keyboard.press("Enter")
    assert banner(page).get_by_role("listitem").all_inner_texts()[0].startswith(PHONES)
    assert active(page)["text"] == "Hide alert", "focus moves to the next alert's button"
    assert "1 service alert" in page.locator(".cc-alert-badge").inner_text()
    page.reload()
    page.locator(".cc-status", has_text="Connected").wait_for()
    banner(page).wait_for()
    assert [lines(t)[0] for t in banner(page).get_by_role("listitem").all_inner_texts()] == [PHONES]
    banner(page).get_by_role("button", name="Hide alert").click()
    assert banner(page).is_hidden()
    assert page.locator(".cc-alert-badge").is_hidden()
    assert active(page)["id"] == "cc-input", "with no alert left, focus goes to the message box"


def test_keyboard_focus_can_leave_the_chat_with_the_banner_showing(
    page: Any, server: AlertsServer
) -> None:
    server.publish("council", PHONES)
    page.goto(server.demo)
    page.locator(".cc-alert-badge").wait_for()
    open_chat(page)
    banner(page).wait_for()
    reached, left = False, False
    for _ in range(25):
        page.keyboard.press("Tab")
        now = active(page)
        reached = reached or now["text"] == "Hide alert"
        if not now["inChat"]:
            left = True
            break
    assert left, "keyboard focus is trapped in the chat"
    page.keyboard.press("Shift+Tab")
    for _ in range(25):
        if active(page)["text"] == "Hide alert":
            reached = True
            break
        page.keyboard.press("Shift+Tab")
    assert reached, "the Hide alert button can be reached with the keyboard"


def test_a_new_alert_is_announced_once_and_not_again_on_the_next_page(
    page: Any, server: AlertsServer
) -> None:
    server.publish("council", PHONES)
    page.goto(server.demo)
    announcer = page.locator("[data-council-chat] > [role=status]")
    announcer.filter(has_text="New service alert: " + PHONES).wait_for()
    server.publish("round:MON-A", SNOW)
    page.context.new_cdp_session(page).send("Network.clearBrowserCache")  # no max-age wait
    page.goto(server.demo.replace("/demo/", "/demo/bins"))
    page.locator(".cc-launcher", has_text="2 service alerts").wait_for()
    assert announcer.inner_text() == "New service alert: " + SNOW
    page.goto(server.demo)
    page.locator(".cc-launcher", has_text="2 service alerts").wait_for()
    page.wait_for_timeout(300)
    assert announcer.inner_text() == "", "alerts already heard are not read out again"


def test_alert_text_is_shown_as_text_never_as_markup(page: Any, server: AlertsServer) -> None:
    hostile = "<img src=x onerror=\"document.title='pwned'\"> Bins late $& today."
    server.publish("council", hostile)
    page.goto(server.demo)
    page.locator(".cc-alert-badge").wait_for()
    open_chat(page)
    assert banner(page).locator(".cc-alert-text").inner_text() == hostile
    assert banner(page).locator("img").count() == 0
    assert page.title() != "pwned"
    announced = page.locator("[data-council-chat] > [role=status]").inner_text()
    assert announced == "New service alert: " + hostile


def test_data_alerts_off_never_asks_for_alerts(page: Any, server: AlertsServer) -> None:
    server.publish("council", PHONES)
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    host = server.base + "/webhooks/webchat/embed-test"
    page.route(
        host,
        lambda route: route.fulfill(
            content_type="text/html",
            body=(
                "<!DOCTYPE html><html lang='en'><head><title>Embed</title></head><body><main>"
                "<h1>A council page</h1></main>"
                f"<script src='{server.base}/webhooks/webchat/widget.js' "
                "data-alerts='off'></script>"
                "</body></html>"
            ),
        ),
    )
    page.goto(host)
    page.locator(".cc-launcher").wait_for()
    page.wait_for_timeout(500)
    assert launcher_name(page) == "Ask the Oakbridge Borough Council assistant"
    page.locator(".cc-launcher").click()  # opening asks again when alerts are on
    page.locator(".cc-panel").wait_for()
    page.wait_for_timeout(300)
    assert not [url for url in asked if "/notifications/alerts" in url]
    assert page.locator(".cc-alert-badge").is_hidden() and banner(page).count() == 0


@pytest.mark.parametrize("failure", ["missing", "error", "garbage", "network"])
def test_a_missing_or_failing_feed_leaves_the_chat_working_as_before(
    page: Any, chat_server: Any, failure: str
) -> None:
    # The echo server has no notifications channel: its feed URL is a 404.
    feed = chat_server.base.replace("/webchat", "/notifications/alerts")
    seen: list[str] = []
    page.on("response", lambda answer: seen.append(answer.url))
    if failure == "error":
        page.route(feed, lambda route: route.fulfill(status=500, body="oops"))
    elif failure == "garbage":
        page.route(
            feed,
            lambda route: route.fulfill(
                content_type="application/json",
                body='{"alerts": [{"id": "x", "message": 5}], "labels": null}',
            ),
        )
    elif failure == "network":
        page.route(feed, lambda route: route.abort())
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(chat_server.base + "/demo/")
    page.locator(".cc-launcher").wait_for()
    page.wait_for_timeout(300)
    if failure != "network":
        assert feed in seen, "the widget asked for alerts"
    assert launcher_name(page) == "Ask the Oakbridge Borough Council assistant"
    open_chat(page)
    page.locator("#cc-input").fill("hello council")
    page.locator("#cc-input").press("Enter")
    bot_says(page, "You said: hello council")
    assert page.locator(".cc-alerts").is_hidden()
    assert page.locator(".cc-alert-badge").is_hidden()
    assert errors == []


def test_opening_the_chat_asks_again_at_most_once_a_minute_and_shows_a_new_alert(
    page: Any, server: AlertsServer
) -> None:
    server.publish("council", PHONES)
    page.add_init_script("""{
      window.__alertFetches = 0;
      const fetchFirst = window.fetch;
      window.fetch = function (url, options) {
        if (String(url).includes('/notifications/alerts')) { window.__alertFetches += 1; }
        return fetchFirst.call(this, url, options);
      };
    }""")
    page.clock.install()
    page.goto(server.demo)
    page.locator(".cc-launcher", has_text="1 service alert").wait_for()
    fetches = "() => window.__alertFetches"
    assert page.evaluate(fetches) == 1, "asked once when the widget loads"
    open_chat(page)
    page.locator(".cc-icon-button").click()
    page.clock.fast_forward("00:50")
    open_chat(page)
    assert page.evaluate(fetches) == 1, "not again within a minute"
    page.locator(".cc-icon-button").click()
    server.publish("round:MON-A", SNOW)
    page.context.new_cdp_session(page).send("Network.clearBrowserCache")
    page.clock.fast_forward("00:11")
    open_chat(page)
    banner(page).get_by_text(SNOW).wait_for()
    assert page.evaluate(fetches) == 2
    announcer = page.locator("[data-council-chat] > [role=status]")
    assert announcer.inner_text() == "New service alert: " + SNOW


def send_and_wait(page: Any, text: str) -> None:
    """One turn (this server has no model: each message gets the plain error back)."""
    before = page.locator(".cc-log .cc-msg").count()
    page.locator("#cc-input").fill(text)
    page.locator("#cc-input").press("Enter")
    page.wait_for_function(
        f"() => document.querySelectorAll('.cc-log .cc-msg').length >= {before + 2}"
    )


def inside(inner: dict[str, float], outer: dict[str, float]) -> bool:
    return (
        inner["y"] >= outer["y"] - 1
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 1
    )


def test_a_short_alert_keeps_its_full_text_and_size_as_the_conversation_grows(
    page: Any, server: AlertsServer
) -> None:
    server.publish("round:MON-A", SNOW)
    page.goto(server.demo)
    page.locator(".cc-alert-badge").wait_for()
    open_chat(page)
    banner(page).wait_for()
    assert page.get_by_role("button", name="Show alert").count() == 0, "it fits: no collapsing"
    assert page.locator(".cc-log").bounding_box()["height"] >= 128, "room for the transcript"
    before = banner(page).bounding_box()
    for turn in ("one", "two", "three", "four"):
        send_and_wait(page, f"turn {turn}")
    assert banner(page).bounding_box()["height"] == before["height"]
    text = banner(page).locator(".cc-alert-text")
    assert text.evaluate("e => e.scrollWidth <= e.clientWidth && e.scrollHeight <= e.clientHeight")
    hide = page.get_by_role("button", name="Hide alert")
    assert inside(hide.bounding_box(), page.locator(".cc-panel").bounding_box())
    assert axe_violations(page) == []


@pytest.mark.parametrize("size", [(1280, 800), (320, 640)])
def test_a_long_alert_shows_one_line_until_show_alert_and_hide_alert_stays_in_view(
    page: Any, server: AlertsServer, size: tuple[int, int]
) -> None:
    long_alert = (PHONES + " ") * 3  # alerts are at most 300 characters
    server.publish("council", long_alert.strip())
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(server.demo)
    page.locator(".cc-alert-badge").wait_for()
    open_chat(page)
    show = banner(page).get_by_role("button", name="Show alert")
    show.wait_for()
    assert show.get_attribute("aria-expanded") == "false"
    text = banner(page).locator(".cc-alert-text")
    line = text.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)")
    assert text.bounding_box()["height"] <= line + 1, "collapsed to one line"
    assert page.locator(".cc-log").bounding_box()["height"] >= 128
    for turn in ("one", "two", "three"):
        send_and_wait(page, f"turn {turn}")
    panel = page.locator(".cc-panel").bounding_box()
    hide = banner(page).get_by_role("button", name="Hide alert")
    assert inside(hide.bounding_box(), panel), "Hide alert is still in view"
    assert axe_violations(page) == [], "collapsed"
    show.focus()
    page.keyboard.press("Enter")
    less = banner(page).get_by_role("button", name="Show less")
    assert less.get_attribute("aria-expanded") == "true"
    assert active(page)["text"] == "Show less", "focus stays on the button"
    assert text.bounding_box()["height"] > 3 * line, "the whole alert shows"
    assert text.inner_text() == long_alert.strip()
    assert axe_violations(page) == [], "expanded"
    page.keyboard.press("Enter")
    banner(page).get_by_role("button", name="Show alert").wait_for()
