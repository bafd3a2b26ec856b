"""Texts that arrive together from one number reach the assistant in arrival order."""

from __future__ import annotations

import asyncio

from sqlalchemy.engine import Engine

from bot.privacy import hash_identifier
from channels.sms.conversations import ACCEPTED, SmsConversations
from channels.sms.outbox import OutboxProvider
from channels.sms.provider import InboundSms
from channels.sms.rate_limit import RateLimiter
from channels.sms.sender import SmsSender
from tests.channels.sms.sms_support import RecordingBot


async def test_simultaneous_texts_from_one_number_keep_their_arrival_order(
    migrated_engine: Engine, recording_bot: RecordingBot
) -> None:
    sender = SmsSender(migrated_engine, OutboxProvider(), hash_identifier)
    conversations = SmsConversations(
        migrated_engine, sender, recording_bot, hash_identifier, RateLimiter(100)
    )
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


def _conversations(engine: Engine, bot: RecordingBot) -> SmsConversations:
    sender = SmsSender(engine, OutboxProvider(), hash_identifier)
    return SmsConversations(engine, sender, bot, hash_identifier, RateLimiter(100))


async def _arrive_together(conversations: SmsConversations, *texts: str) -> None:
    await asyncio.gather(*(
        conversations.receive(InboundSms("twilio", f"SM{index:032d}", "+447700900001", text))
        for index, text in enumerate(texts)
    ))
    await conversations.drain()


async def test_a_text_queued_behind_stop_sees_the_opt_out(
    migrated_engine: Engine, recording_bot: RecordingBot
) -> None:
    # The first text's state is read with its claim; the ones queued behind it must not
    # use a state from before STOP was processed.
    await _arrive_together(_conversations(migrated_engine, recording_bot),
                           "STOP", "bin day SW1A 1AA", "hello")
    assert recording_bot.received == []


async def test_a_number_queued_behind_the_menu_picks_from_it(
    migrated_engine: Engine, recording_bot: RecordingBot
) -> None:
    await _arrive_together(_conversations(migrated_engine, recording_bot), "menu", "2")
    assert recording_bot.texts == ["menu", "/council_tax_pay"]
