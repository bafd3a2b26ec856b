"""A real Sanic server mounting the web chat channel, with an echo bot at the Rasa boundary.

Run: python tests/channels/web/echo_server.py PORT TRACKER_DB_PATH
The bot records every message in a real Rasa SQL tracker store (SQLite), so history
survives a server restart, and answers:
  "buttons" -> a reply with two buttons;   "link" -> a reply with links and markup;
  "slow"    -> waits a second, then answers; a button payload -> "You chose /payload";
  "later"   -> answers, then half a second later pushes a staff message through
               channels.web.connections.deliver (as the handoff queue will);
  anything else -> "You said: <text>".
"""

from __future__ import annotations

import asyncio
import sys
from types import SimpleNamespace

from rasa.core.channels.channel import UserMessage
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Sanic

from channels.web.channel import WebChatInput
from channels.web.connections import deliver

LINK_REPLY = (
    "See https://www.oakbridge.gov.example/bins-and-recycling. "
    "<img src=x onerror=\"document.title='pwned'\"> javascript:alert(1) <b>bold</b>"
)


async def _staff_reply(sender_id: str) -> None:
    await asyncio.sleep(0.5)
    await deliver(sender_id, {"type": "bot", "text": "Staff: hello from the team", "buttons": []})


def build_app(tracker_db: str) -> Sanic:
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=tracker_db)
    app = Sanic("webchat_echo")
    app.ctx.agent = SimpleNamespace(tracker_store=store, is_ready=lambda: True)

    async def on_new_message(message: UserMessage) -> None:
        tracker = await store.get_or_create_tracker(message.sender_id)
        tracker.update(UserUttered(message.text, metadata=message.metadata or {}))
        buttons: list[dict[str, str]] = []
        if message.text.startswith("/"):
            text = f"You chose {message.text}"
        elif message.text == "buttons":
            text = "Choose one."
            buttons = [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]
        elif message.text == "link":
            text = LINK_REPLY
        else:
            if message.text == "slow":
                await asyncio.sleep(1.0)
            text = f"You said: {message.text}"
        reply = {"text": text, "buttons": buttons} if buttons else {"text": text}
        await message.output_channel.send_response(message.sender_id, dict(reply))
        tracker.update(BotUttered(text, data={"buttons": buttons} if buttons else {}))
        await store.save(tracker)
        if message.text == "later":
            asyncio.get_running_loop().create_task(_staff_reply(message.sender_id))

    app.blueprint(WebChatInput().blueprint(on_new_message), url_prefix="/webhooks/webchat")
    return app


if __name__ == "__main__":
    port, db = int(sys.argv[1]), sys.argv[2]
    build_app(db).run(host="127.0.0.1", port=port, access_log=False, motd=False, workers=1)
