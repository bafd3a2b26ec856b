"""Texts that arrive together from one number reach the assistant in arrival order."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.engine import Engine

from bot.clients.sms.outbox import OutboxProvider
from bot.clients.sms.provider import InboundSms
from bot.clients.sms.sender import SmsSender
from bot.db import sms as store
from bot.privacy import hash_identifier
from channels.sms.conversations import ACCEPTED, SmsConversations
from channels.sms.rate_limit import RateLimiter
from tests.channels.sms.sms_support import RecordingBot


def _conversations(
    engine: Engine, bot: RecordingBot, texts_a_minute: int = 100
) -> SmsConversations:
    sender = SmsSender(engine, OutboxProvider(), hash_identifier)
    return SmsConversations(engine, sender, bot, hash_identifier, RateLimiter(texts_a_minute))


async def test_simultaneous_texts_from_one_number_keep_their_arrival_order(
    migrated_engine: Engine, recording_bot: RecordingBot
) -> None:
    conversations = _conversations(migrated_engine, recording_bot)
    texts = [f"text {index}" for index in range(25)]
    statuses = await asyncio.gather(
        *(
            conversations.receive(InboundSms("twilio", f"SM{index:032d}", "+447700900001", text))
            for index, text in enumerate(texts)
        )
    )
    await conversations.drain()
    assert statuses == [ACCEPTED] * 25
    assert recording_bot.texts == texts


async def _arrive_together(conversations: SmsConversations, *texts: str) -> None:
    await asyncio.gather(
        *(
            conversations.receive(InboundSms("twilio", f"SM{index:032d}", "+447700900001", text))
            for index, text in enumerate(texts)
        )
    )
    await conversations.drain()


async def test_a_text_queued_behind_stop_sees_the_opt_out(
    migrated_engine: Engine, recording_bot: RecordingBot
) -> None:
    # The first text's state is read with its claim; the ones queued behind it must not
    # use a state from before STOP was processed.
    await _arrive_together(
        _conversations(migrated_engine, recording_bot), "STOP", "bin day SW1A 1AA", "hello"
    )
    assert recording_bot.received == []


async def test_a_number_queued_behind_the_menu_picks_from_it(
    migrated_engine: Engine, recording_bot: RecordingBot
) -> None:
    await _arrive_together(_conversations(migrated_engine, recording_bot), "menu", "2")
    assert recording_bot.texts == ["menu", "/council_tax_pay"]


async def test_a_text_a_stopped_process_had_accepted_is_processed_by_the_next_once(
    migrated_engine: Engine, recording_bot: RecordingBot
) -> None:
    # The process that claimed it stopped before answering (no drain: killed).
    text = InboundSms("twilio", "SM" + "7" * 32, "+447700900001", "bin day SW1A 1AA")
    assert store.claim_inbound(migrated_engine, text, hash_identifier(text.sender))
    conversations = _conversations(migrated_engine, recording_bot)
    assert await conversations.recover(timedelta(minutes=5)) == 0  # not stale yet
    assert await conversations.recover(timedelta(0)) == 1
    await conversations.drain()
    assert recording_bot.texts == ["bin day SW1A 1AA"]
    replies = store.outbound_for(migrated_engine, hash_identifier(text.sender))
    assert [reply.body for reply in replies] == ["You said: bin day SW1A 1AA"]
    assert await conversations.recover(timedelta(0)) == 0
    await conversations.drain()
    assert recording_bot.texts == ["bin day SW1A 1AA"]


async def test_texts_processed_queued_or_refused_here_are_not_recovered(
    migrated_engine: Engine, recording_bot: RecordingBot
) -> None:
    conversations = _conversations(migrated_engine, recording_bot, texts_a_minute=2)
    await _arrive_together(conversations, "hello", "menu", "over the limit", "and again")
    assert await conversations.recover(timedelta(0)) == 0  # answered, or refused
    recording_bot.delay = 0.2
    slow = InboundSms("twilio", "SM" + "8" * 32, "+447700900002", "still queued")
    await conversations.receive(slow)
    assert await conversations.recover(timedelta(0)) == 0  # this process is on it
    await conversations.drain()
    assert recording_bot.texts == ["hello", "menu", "still queued"]


async def test_a_server_starting_up_answers_what_a_stopped_one_left(
    migrated_engine: Engine, recording_bot: RecordingBot, sms_server
) -> None:
    text = InboundSms("simulator", "SIM" + "9" * 32, "+447700900003", "when is my bin day")
    number_hash = hash_identifier(text.sender)
    assert store.claim_inbound(migrated_engine, text, number_hash)
    with migrated_engine.begin() as connection:  # accepted ten minutes ago, then the crash
        connection.execute(
            update(store.SmsInbound.__table__).values(
                received_at=store.utcnow() - timedelta(minutes=10)
            )
        )
    app = await sms_server("outbox")
    for _ in range(100):  # the sweep starts with the server
        if recording_bot.received:
            break
        await asyncio.sleep(0.05)
    await app.settle()
    assert recording_bot.texts == ["when is my bin day"]
    [reply] = store.outbound_for(migrated_engine, number_hash)
    assert reply.body == "You said: when is my bin day"
