"""The channel inside the real `rasa run`, loaded from a credentials file.

Without a model: the channel loads, serves the widget and refuses messages plainly.
With the newest model under models/ (marker `model`): real conversations over a real
WebSocket client and in headless chromium, with axe and the keyboard alone.
Browser tests stay last in the module: sync Playwright keeps a loop running.
"""

from __future__ import annotations

import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import websockets

from channels.web.channel import SANIC_RECV_WARNING
from tests.channels.web.browser_helpers import active, axe_violations, bot_says, transcript
from tests.channels.web.conftest import ARTIFACTS
from tests.channels.web.rasa_server import newest_model, rasa_server
from tests.channels.web.test_channel_socket import next_frame, say


@pytest.fixture(scope="module")
def rasa_without_model(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with rasa_server(tmp_path_factory.mktemp("rasa"), None) as base:
        yield base


@pytest.fixture(scope="module")
def rasa_workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the servers with the model run; their output is in servers.log there."""
    return tmp_path_factory.mktemp("rasa")


@pytest.fixture(scope="module")
def rasa_with_model(rasa_workdir: Path) -> Iterator[str]:
    model = newest_model()
    if model is None:
        pytest.skip("no trained model under models/")
    with rasa_server(rasa_workdir, model) as base:
        yield base


def get(url: str) -> tuple[int, str, str]:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return answer.status, answer.headers["Content-Type"], answer.read().decode()


def ws_url(base: str, session: str) -> str:
    return base.replace("http://", "ws://") + f"/webhooks/webchat/ws?session={session}"


async def test_rasa_run_loads_the_channel_and_serves_the_widget_and_demo_pages(
    rasa_without_model: str,
) -> None:
    status, kind, script = get(rasa_without_model + "/webhooks/webchat/widget.js")
    assert status == 200 and kind.startswith("application/javascript")
    assert "__WEBCHAT_CONFIG__" not in script and "Oakbridge Borough Council" in script
    status, kind, page = get(rasa_without_model + "/webhooks/webchat/demo/")
    assert status == 200 and "<h1>Oakbridge Borough Council</h1>" in page
    assert '<script src="/webhooks/webchat/widget.js" defer>' in page


async def test_without_a_model_a_message_gets_a_plain_error_not_silence(
    rasa_without_model: str,
) -> None:
    async with websockets.connect(ws_url(rasa_without_model, str(uuid.uuid4()))) as ws:
        assert (await next_frame(ws))["type"] == "history"
        await say(ws, "hello")
        frame = await next_frame(ws)
        assert frame["type"] == "error" and frame["code"] == "unavailable"
        assert "01632 960000" in frame["message"]


@pytest.mark.model
async def test_a_greeting_gets_the_assistants_answer_and_a_reconnection_shows_it(
    rasa_with_model: str,
) -> None:
    session = str(uuid.uuid4())
    async with websockets.connect(ws_url(rasa_with_model, session)) as ws:
        await next_frame(ws, "history")
        await say(ws, "hello")
        reply = await next_frame(ws, "bot", timeout=60)
        assert "automated assistant" in reply["text"]
    async with websockets.connect(ws_url(rasa_with_model, session)) as ws:
        history = (await next_frame(ws, "history"))["messages"]
    assert history[0] == {"type": "user", "text": "hello"}
    assert "automated assistant" in history[1]["text"]


@pytest.mark.model
async def test_a_pressed_button_reaches_the_real_assistant_and_its_buttons_come_back(
    rasa_with_model: str,
) -> None:
    session = str(uuid.uuid4())
    async with websockets.connect(ws_url(rasa_with_model, session)) as ws:
        await next_frame(ws, "history")
        await say(ws, "What can you do?", payload="/what_can_you_do")
        reply = await next_frame(ws, "bot", timeout=60)
        titles = [button["title"] for button in reply["buttons"]]
        assert "Bin collection day" in titles and "Speak to a person" in titles
    async with websockets.connect(ws_url(rasa_with_model, session)) as ws:
        history = (await next_frame(ws, "history"))["messages"]
    assert history[0] == {"type": "user", "text": "What can you do?"}


@pytest.mark.model
async def test_messages_leave_no_warning_per_message_in_the_server_log(
    rasa_with_model: str, rasa_workdir: Path
) -> None:
    # Sanic's WebSocket recv warned on every message (spaCy resets the warning registries).
    log = rasa_workdir / "servers.log"
    async with websockets.connect(ws_url(rasa_with_model, str(uuid.uuid4()))) as ws:
        await next_frame(ws, "history")
        for text in ("hello", "how do I pay my council tax", "thanks, bye"):
            await say(ws, text)
            await next_frame(ws, "idle", timeout=60)
    assert SANIC_RECV_WARNING not in log.read_text()


@pytest.mark.model
@pytest.mark.browser
def test_a_keyboard_only_conversation_with_the_real_assistant_survives_a_reload(
    browser: Any, rasa_with_model: str
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(rasa_with_model + "/webhooks/webchat/demo/")
        page.locator(".cc-launcher").wait_for()
        for _ in range(40):
            page.keyboard.press("Tab")
            if "cc-launcher" in active(page)["cls"]:
                break
        page.keyboard.press("Enter")
        assert active(page)["id"] == "cc-input"
        page.keyboard.type("hello")
        page.keyboard.press("Enter")
        bot_says(page, "automated assistant", timeout=60_000)
        page.keyboard.type("goodbye")
        page.keyboard.press("Enter")
        bot_says(page, "Goodbye", timeout=60_000)
        assert axe_violations(page) == []
        before = transcript(page)
        page.reload()
        page.locator(".cc-status", has_text="Connected").wait_for()
        assert transcript(page) == before
        page.locator("#cc-input").focus()  # a reload does not steal focus into the chat
        page.keyboard.press("Escape")
        assert "cc-launcher" in active(page)["cls"]
        page.screenshot(path=str(ARTIFACTS / "real-assistant-conversation.png"))
    finally:
        context.close()
