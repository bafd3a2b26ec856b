"""Sending: every text stored first, retried with backoff, failures recorded, STOP respected."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, update
from sqlalchemy.engine import Engine

from bot.clients.sms.notify import NotifyProvider
from bot.clients.sms.outbox import OutboxProvider
from bot.clients.sms.sender import SmsSender
from bot.clients.sms.twilio import TwilioProvider
from bot.db import sms as store
from bot.db.session import session_scope
from bot.privacy import hash_identifier
from tests.channels.sms.sms_support import (
    NOTIFY_KEY,
    NOTIFY_TEMPLATE,
    TWILIO_SID,
    TWILIO_TOKEN,
    ProviderApi,
)

RESIDENT = "+447700900001"


def twilio_sender(engine: Engine, api: ProviderApi, attempts: int = 3) -> SmsSender:
    provider = TwilioProvider(TWILIO_SID, TWILIO_TOKEN, "+447700900999", api.base_url)
    return SmsSender(engine, provider, hash_identifier, attempts=attempts, base_delay_seconds=0.01)


async def test_a_text_that_fails_twice_is_retried_and_sent(
    migrated_engine: Engine, provider_api: ProviderApi
) -> None:
    provider_api.statuses = [500, 503, 201]
    text = await twilio_sender(migrated_engine, provider_api).send(RESIDENT, "Hello", "k-1")
    assert (text.status, text.attempts, text.last_error) == ("sent", 3, None)
    assert len(provider_api.requests) == 3


async def test_a_text_that_keeps_failing_is_kept_as_failed_with_its_error(
    migrated_engine: Engine, provider_api: ProviderApi
) -> None:
    provider_api.statuses = [500]
    text = await twilio_sender(migrated_engine, provider_api).send(RESIDENT, "Hello", "k-2")
    assert (text.status, text.attempts) == ("failed", 3)
    assert text.last_error is not None and "HTTP 500" in text.last_error
    stored = store.get_outbound(migrated_engine, text.id)
    assert stored is not None and stored.body == "Hello" and stored.status == "failed"


async def test_a_refused_text_is_not_retried(
    migrated_engine: Engine, provider_api: ProviderApi
) -> None:
    provider_api.statuses = [400]
    text = await twilio_sender(migrated_engine, provider_api).send(RESIDENT, "Hello", "k-3")
    assert (text.status, text.attempts) == ("failed", 1)
    assert len(provider_api.requests) == 1


async def test_an_unreachable_provider_is_a_recorded_failure(migrated_engine: Engine) -> None:
    provider = TwilioProvider(TWILIO_SID, TWILIO_TOKEN, "+447700900999", "http://127.0.0.1:9")
    sender = SmsSender(migrated_engine, provider, hash_identifier, 2, 0.01)
    text = await sender.send(RESIDENT, "Hello", "k-4")
    assert (text.status, text.attempts) == ("failed", 2)
    assert text.last_error


async def test_the_same_idempotency_key_sends_once(
    migrated_engine: Engine, provider_api: ProviderApi
) -> None:
    sender = twilio_sender(migrated_engine, provider_api)
    first = await sender.send(RESIDENT, "Hello", "k-5")
    again = await sender.send(RESIDENT, "Hello", "k-5")
    assert first.id == again.id and again.status == "sent"
    assert len(provider_api.requests) == 1


async def test_texts_to_an_opted_out_number_are_suppressed_but_recorded(
    migrated_engine: Engine, provider_api: ProviderApi
) -> None:
    store.set_opted_out(migrated_engine, hash_identifier(RESIDENT), True)
    sender = twilio_sender(migrated_engine, provider_api)
    held = await sender.send(RESIDENT, "A reminder", "k-6")
    confirmation = await sender.send(RESIDENT, "You are opted out", "k-7", ignore_opt_out=True)
    assert (held.status, held.attempts) == ("suppressed", 0)
    assert confirmation.status == "sent"
    assert [r["form"]["Body"] for r in provider_api.requests] == ["You are opted out"]


async def test_a_text_left_behind_by_a_stopped_process_is_finished(
    migrated_engine: Engine, provider_api: ProviderApi
) -> None:
    text = store.add_outbound(
        migrated_engine,
        store.NewText("k-8", "twilio", RESIDENT, hash_identifier(RESIDENT), "Left behind"),
    ).text
    sender = twilio_sender(migrated_engine, provider_api)
    assert await sender.retry_stale() == 0  # too fresh: a live sender may still own it
    with session_scope(migrated_engine) as session:
        session.execute(
            update(store.SmsOutbound)
            .where(store.SmsOutbound.id == text.id)
            .values(next_attempt_at=store.utcnow() - timedelta(minutes=5))
        )
    assert store.get_outbound(migrated_engine, text.id).recipient == RESIDENT  # to send it
    assert await sender.retry_stale() == 1
    stored = store.get_outbound(migrated_engine, text.id)
    assert stored is not None and stored.status == "sent"
    assert stored.recipient is None  # sent: only the hash is kept


async def test_a_text_keeps_its_number_only_until_it_is_sent_failed_or_suppressed(
    migrated_engine: Engine, provider_api: ProviderApi
) -> None:
    sender = twilio_sender(migrated_engine, provider_api, attempts=1)
    sent = await sender.send(RESIDENT, "Hello", "n-1")
    provider_api.statuses = [500]
    failed = await sender.send(RESIDENT, "Hello again", "n-2")
    store.set_opted_out(migrated_engine, hash_identifier(RESIDENT), True)
    held = await sender.send(RESIDENT, "A reminder", "n-3")
    outbox = SmsSender(migrated_engine, OutboxProvider(), hash_identifier)
    local = await outbox.send("+447700900002", "Hi", "n-4")
    stored = [store.get_outbound(migrated_engine, t.id) for t in (sent, failed, held, local)]
    assert [(t.status, t.recipient) for t in stored if t is not None] == [
        ("sent", None),
        ("failed", None),
        ("suppressed", None),
        ("sent", None),
    ]


async def test_a_text_to_a_conversation_goes_to_the_number_kept_for_it_and_not_once_erased(
    migrated_engine: Engine, provider_api: ProviderApi
) -> None:
    number_hash = hash_identifier(RESIDENT)
    store.claim_inbound(
        migrated_engine, store.Inbound("twilio", "SM1", RESIDENT, "hi"), number_hash
    )
    sender = twilio_sender(migrated_engine, provider_api)
    text = await sender.send_to_conversation(store.conversation_id(number_hash), "Hi", "c-1")
    assert text is not None and text.status == "sent"
    assert [r["form"]["To"] for r in provider_api.requests] == [RESIDENT]
    with session_scope(migrated_engine) as session:
        session.execute(delete(store.SmsNumber))
    gone = await sender.send_to_conversation(store.conversation_id(number_hash), "Hi", "c-2")
    assert gone is None and len(provider_api.requests) == 1


async def test_notify_sends_through_the_official_client_with_the_body_template(
    migrated_engine: Engine, provider_api: ProviderApi
) -> None:
    provider = NotifyProvider(NOTIFY_KEY, NOTIFY_TEMPLATE, base_url=provider_api.base_url)
    sender = SmsSender(migrated_engine, provider, hash_identifier, 3, 0.01)
    text = await sender.send(RESIDENT, "Your bins are collected on Thursday.", "k-9")
    assert text.status == "sent"
    [request] = provider_api.requests
    assert request["path"] == "/v2/notifications/sms"
    assert request["headers"]["Authorization"].startswith("Bearer ")
    assert request["json"] == {
        "phone_number": RESIDENT,
        "template_id": NOTIFY_TEMPLATE,
        "personalisation": {"body": "Your bins are collected on Thursday."},
        "reference": "k-9",
    }


@pytest.mark.parametrize(("status", "attempts"), [(400, 1), (403, 1), (429, 3), (500, 3)])
async def test_notify_failures_are_retried_only_when_retrying_can_help(
    migrated_engine: Engine, provider_api: ProviderApi, status: int, attempts: int
) -> None:
    provider_api.statuses = [status]
    provider = NotifyProvider(NOTIFY_KEY, NOTIFY_TEMPLATE, base_url=provider_api.base_url)
    sender = SmsSender(migrated_engine, provider, hash_identifier, 3, 0.01)
    text = await sender.send(RESIDENT, "Hello", f"k-n{status}")
    assert (text.status, text.attempts) == ("failed", attempts)


async def test_the_outbox_keeps_texts_for_the_simulator(migrated_engine: Engine) -> None:
    sender = SmsSender(migrated_engine, OutboxProvider(), hash_identifier)
    await sender.send(RESIDENT, "One", "k-10")
    await sender.send(RESIDENT, "Two", "k-11")
    texts = store.outbound_for(migrated_engine, hash_identifier(RESIDENT))
    assert [(t.body, t.status) for t in texts] == [("One", "sent"), ("Two", "sent")]
    assert (
        store.outbound_for(migrated_engine, hash_identifier(RESIDENT), texts[0].id)[0].body == "Two"
    )


async def test_the_outbox_stores_a_text_as_sent_and_suppresses_it_after_stop(
    migrated_engine: Engine,
) -> None:
    sender = SmsSender(migrated_engine, OutboxProvider(), hash_identifier)
    sent = await sender.send(RESIDENT, "One", "k-12", options=[{"number": 1, "title": "Bins"}])
    assert (sent.status, sent.attempts) == ("sent", 1)
    state = store.number_state(migrated_engine, hash_identifier(RESIDENT), timedelta(hours=1))
    assert state.options == [{"number": 1, "title": "Bins"}]
    store.set_opted_out(migrated_engine, hash_identifier(RESIDENT), True)
    held = await sender.send(RESIDENT, "A reminder", "k-13")
    confirmation = await sender.send(RESIDENT, "You are opted out", "k-14", ignore_opt_out=True)
    assert (held.status, held.attempts) == ("suppressed", 0)
    assert confirmation.status == "sent"
    again = await sender.send(RESIDENT, "One", "k-12")  # a repeated key: the first text
    assert (again.id, again.status) == (sent.id, "sent")


async def test_an_outbox_text_a_stopped_process_left_queued_is_sent_when_met_again(
    migrated_engine: Engine,
) -> None:
    left = store.add_outbound(
        migrated_engine,
        store.NewText("k-15", "outbox", RESIDENT, hash_identifier(RESIDENT), "Left behind"),
    ).text
    sender = SmsSender(migrated_engine, OutboxProvider(), hash_identifier)
    text = await sender.send(RESIDENT, "Left behind", "k-15")
    assert (text.id, text.status, text.attempts) == (left.id, "sent", 1)
