"""The SMS reply goes when the assistant's turn ends (Rasa's processor says so through
`end_of_turn`), once, and whatever happens after it cannot lose or repeat it."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from rasa.core.channels.channel import UserMessage
from sqlalchemy.engine import Engine

from bot.clients.sms.outbox import OutboxProvider
from bot.clients.sms.provider import InboundSms
from bot.clients.sms.sender import SmsSender
from bot.db import sms as store
from bot.privacy import hash_identifier
from channels.sms.conversations import SmsConversations
from channels.sms.output import CollectingSmsOutput
from channels.sms.rate_limit import RateLimiter
from channels.turn_end import _with_end_of_turn

NUMBER = "+447700900002"
MESSAGE_ID = "SM" + "3" * 32


@dataclass
class TurnEndingBot:
    """Stands in for Rasa's agent as its processor runs a turn: the assistant's messages,
    the end of the turn, then the save (which may fail); `later` are messages sent after
    the turn (as the handoff relay's note after a paused turn)."""

    engine: Engine
    answers: list[str] = field(default_factory=lambda: ["Bins go out on Tuesday."])
    later: list[str] = field(default_factory=list)
    save_fails: bool = False
    outbox_at_save: list[str] = field(default_factory=list)
    unprocessed_at_save: list[str] = field(default_factory=list)

    async def __call__(self, message: UserMessage) -> None:
        out = message.output_channel
        for text in self.answers:
            await out.send_text_message(message.sender_id, text)
        await out.end_of_turn()
        self.outbox_at_save = _bodies(self.engine)
        self.unprocessed_at_save = _unprocessed(self.engine)
        if self.save_fails:
            raise RuntimeError("the tracker store is down")
        for text in self.later:
            await out.send_text_message(message.sender_id, text)


def _bodies(engine: Engine) -> list[str]:
    return [text.body for text in store.outbound_for(engine, hash_identifier(NUMBER))]


def _unprocessed(engine: Engine) -> list[str]:
    return [text.message_id for text in store.unfinished_inbound(engine, timedelta(0))]


async def _text(engine: Engine, bot: TurnEndingBot, body: str = "bin day") -> None:
    sender = SmsSender(engine, OutboxProvider(), hash_identifier)
    conversations = SmsConversations(engine, sender, bot, hash_identifier, RateLimiter(100))
    await conversations.receive(InboundSms("twilio", MESSAGE_ID, NUMBER, body))
    await conversations.drain()


async def test_the_reply_is_out_before_the_turn_is_saved_and_sent_once(
    migrated_engine: Engine,
) -> None:
    bot = TurnEndingBot(migrated_engine, answers=["Bins go out on Tuesday.", "Anything else?"])
    await _text(migrated_engine, bot)
    assert bot.outbox_at_save == ["Bins go out on Tuesday.\n\nAnything else?"]
    assert _bodies(migrated_engine) == bot.outbox_at_save
    assert bot.unprocessed_at_save == []  # marked processed in the reply's own write
    assert _unprocessed(migrated_engine) == []


async def test_a_failure_after_the_reply_went_sends_no_apology(
    migrated_engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    bot = TurnEndingBot(migrated_engine, save_fails=True)
    with caplog.at_level(logging.ERROR):
        await _text(migrated_engine, bot)
    assert _bodies(migrated_engine) == ["Bins go out on Tuesday."]
    assert "the assistant failed" in caplog.text


async def test_messages_after_an_empty_turn_go_as_its_reply(migrated_engine: Engine) -> None:
    # A paused conversation: Rasa's turn says nothing, then the relay says a person will reply.
    bot = TurnEndingBot(migrated_engine, answers=[], later=["A person will reply soon."])
    await _text(migrated_engine, bot)
    assert bot.outbox_at_save == []
    assert bot.unprocessed_at_save == [MESSAGE_ID]  # no reply yet: marked when finished
    assert _bodies(migrated_engine) == ["A person will reply soon."]
    assert _unprocessed(migrated_engine) == []


async def test_messages_after_a_reply_go_as_a_second_text_not_lost(
    migrated_engine: Engine,
) -> None:
    bot = TurnEndingBot(migrated_engine, later=["One more thing."])
    await _text(migrated_engine, bot)
    assert _bodies(migrated_engine) == ["Bins go out on Tuesday.", "One more thing."]


async def test_the_collector_hands_on_each_message_once() -> None:
    handed: list[tuple[list[str], int]] = []

    async def on_end(messages: list[dict[str, Any]], part: int) -> None:
        handed.append(([m["text"] for m in messages], part))

    out = CollectingSmsOutput(on_end)
    assert not out.ended
    await out.end_of_turn()  # nothing yet: still handed on (the reply may forget options)
    await out.end_of_turn()  # nothing new: nothing more
    await out.send_text_message(NUMBER, "later")
    await out.end_of_turn()
    await out.end_of_turn()
    assert out.ended and out.parts == 2
    assert handed == [([], 1), (["later"], 2)]


class _Channel:
    def __init__(self, fails: bool = False) -> None:
        self.calls: list[str] = []
        self.fails = fails

    @classmethod
    def name(cls) -> str:
        return "test"

    async def end_of_turn(self) -> None:
        self.calls.append("end")
        if self.fails:
            raise RuntimeError("could not send")


class _Processor:
    """Records the order of the prediction loop and what follows it."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    async def loop(self, output_channel: Any, tracker: Any) -> None:
        self.calls.append(f"loop {tracker}")


async def test_the_prediction_loop_ends_with_the_channels_end_of_turn() -> None:
    processor, channel = _Processor(), _Channel()
    wrapped = _with_end_of_turn(_Processor.loop)
    await wrapped(processor, channel, "t1")
    assert processor.calls == ["loop t1"] and channel.calls == ["end"]


async def test_a_failing_end_of_turn_is_logged_and_the_turn_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    processor, channel = _Processor(), _Channel(fails=True)
    with caplog.at_level(logging.ERROR):
        await _with_end_of_turn(_Processor.loop)(processor, channel, "t1")
    assert channel.calls == ["end"]
    assert "the conversation is saved anyway" in caplog.text


async def test_a_channel_without_the_hook_is_untouched() -> None:
    from rasa.core.channels.channel import CollectingOutputChannel

    processor = _Processor()
    await _with_end_of_turn(_Processor.loop)(processor, CollectingOutputChannel(), "t1")
    assert processor.calls == ["loop t1"]


def test_rasa_runs_the_wrapped_loop_once_the_server_starts() -> None:
    from rasa.core.processor import MessageProcessor

    from channels.startup_checks import start_rasa_server

    start_rasa_server()  # what each of our channels calls when Rasa builds it

    assert MessageProcessor._run_prediction_loop.__wrapped__.__qualname__ == (
        "MessageProcessor._run_prediction_loop"
    )
