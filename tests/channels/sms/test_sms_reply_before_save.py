"""With the trained model in this process and the real action server: an SMS reply is
stored as soon as the assistant's turn ends, before Rasa saves the conversation, and
the conversation is still saved with the turn in it.

Needs models/council.tar.gz (`make train`); skipped without it.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.bench.stack import MODEL, RASA, ROOT, free_port, stack_env, stop_servers, wait_for
from bot.clients.sms.outbox import OutboxProvider
from bot.clients.sms.provider import InboundSms
from bot.clients.sms.sender import SmsSender
from bot.db import sms as sms_store
from bot.db.session import make_engine
from bot.demo_data import prepare_demo_database
from bot.endpoints import ACTION_SECRET_HEADER
from bot.privacy import hash_identifier
from channels.sms.conversations import SmsConversations
from channels.sms.rate_limit import RateLimiter

NUMBER = "+447700900555"

pytestmark = [
    pytest.mark.model,
    pytest.mark.skipif(not MODEL.exists(), reason="no trained model: run make train"),
]


@pytest.fixture(scope="module")
def action_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The action server on loopback with the demo data; yields its environment."""
    workdir = tmp_path_factory.mktemp("sms_turn_end")
    port = free_port()
    env = stack_env(workdir, port)
    prepare_demo_database(env["DATABASE_URL"])
    log = workdir / "actions.log"
    with log.open("wb") as out:
        actions = subprocess.Popen(
            [str(RASA), "run", "actions", "--actions", "actions", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(f"http://127.0.0.1:{port}/health", actions, log)
        yield env
    finally:
        stop_servers(actions)


def _bodies(engine: Any) -> list[str]:
    return [text.body for text in sms_store.outbound_for(engine, hash_identifier(NUMBER))]


async def test_the_reply_is_stored_before_rasa_saves_the_turn(
    action_server: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from rasa.core.agent import load_agent
    from rasa.core.utils import AvailableEndpoints
    from rasa.shared.core.events import BotUttered
    from rasa.utils.endpoints import EndpointConfig

    from bot.settings import get_settings
    from channels.startup_checks import install_rasa_changes

    install_rasa_changes(get_settings())  # as `rasa run` does when it builds our channels
    agent = await load_agent(
        str(MODEL),
        endpoints=AvailableEndpoints(
            action=EndpointConfig(
                action_server["ACTION_SERVER_URL"],
                headers={ACTION_SECRET_HEADER: action_server["ACTION_SERVER_SECRET"]},
            )
        ),
    )
    engine = make_engine(action_server["DATABASE_URL"])
    # What the outbox held each time Rasa saved the conversation (a session start saves
    # it once before the turn; the turn's own save comes last).
    outbox_at_save: list[list[str]] = []
    store_class = type(agent.tracker_store)
    rasa_save = store_class.save

    async def save(self: Any, tracker: Any) -> None:
        outbox_at_save.append(_bodies(engine))
        await rasa_save(self, tracker)

    monkeypatch.setattr(store_class, "save", save)
    sender = SmsSender(engine, OutboxProvider(), hash_identifier)
    conversations = SmsConversations(
        engine, sender, agent.handle_message, hash_identifier, RateLimiter(100)
    )
    await conversations.receive(
        InboundSms("twilio", "SM" + "5" * 32, NUMBER, "how do I pay my council tax")
    )
    await conversations.drain()

    [reply] = _bodies(engine)
    assert "https://www.oakbridge.gov.example/council-tax/pay" in reply
    assert outbox_at_save[-1] == [reply]  # the reply was out when the turn was saved
    tracker = await agent.tracker_store.retrieve(sms_store.conversation_id(hash_identifier(NUMBER)))
    assert tracker is not None
    assert await agent.tracker_store.retrieve(NUMBER) is None  # never under the number
    assert tracker.latest_message.text == "how do I pay my council tax"
    said = " ".join(e.text or "" for e in tracker.events if isinstance(e, BotUttered))
    assert "https://www.oakbridge.gov.example/council-tax/pay" in said
    engine.dispose()
