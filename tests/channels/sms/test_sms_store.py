"""The SMS channel's per-turn reads and writes (bot/db/sms.py) on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from bot.db import sms as store

NUMBER = "hash-of-07700900001"
OPTIONS = [{"number": 1, "title": "Bins", "payload": "/bin_collection_day"}]


def inbound(message_id: str, provider: str = "twilio") -> store.Inbound:
    """A text from one made-up number, as a provider delivers it."""
    return store.Inbound(provider, message_id, "+447700900001", "hello")


def _row(engine: Engine, outbound_id: int) -> dict[str, Any]:
    with engine.connect() as connection:
        row = connection.execute(
            select(store.SmsOutbound.__table__).where(store.SmsOutbound.id == outbound_id)
        ).one()
    return dict(row._mapping)


def test_a_new_number_has_no_state(migrated_engine: Engine) -> None:
    state = store.number_state(migrated_engine, NUMBER, timedelta(hours=2))
    assert state == store.NumberState(opted_out=False, options=[], has_stored_options=False)


def test_options_offered_are_read_back_with_the_opt_out(migrated_engine: Engine) -> None:
    store.save_options(migrated_engine, NUMBER, OPTIONS)
    store.set_opted_out(migrated_engine, NUMBER, True)
    state = store.number_state(migrated_engine, NUMBER, timedelta(hours=2))
    assert state == store.NumberState(opted_out=True, options=OPTIONS, has_stored_options=True)


def test_old_options_are_not_offered_but_are_known_so_they_can_be_forgotten(
    migrated_engine: Engine,
) -> None:
    store.save_options(migrated_engine, NUMBER, OPTIONS)
    with migrated_engine.begin() as connection:
        connection.execute(
            update(store.SmsPendingOptions.__table__).values(
                offered_at=store.utcnow() - timedelta(hours=3)
            )
        )
    state = store.number_state(migrated_engine, NUMBER, timedelta(hours=2))
    assert (state.options, state.has_stored_options) == ([], True)
    store.save_options(migrated_engine, NUMBER, [])
    assert not store.number_state(migrated_engine, NUMBER, timedelta(hours=2)).has_stored_options


def test_storing_a_text_reads_the_opt_out_and_keeps_the_first_copy_of_a_key(
    migrated_engine: Engine,
) -> None:
    first = store.add_outbound(
        migrated_engine, store.NewText("k-1", "outbox", "+447700900001", NUMBER, "Hello")
    )
    assert (first.created, first.opted_out, first.text.status) == (True, False, "queued")
    store.record_attempt(migrated_engine, first.text.id, "sent", provider_message_id="p1")
    store.set_opted_out(migrated_engine, NUMBER, True)

    again = store.add_outbound(
        migrated_engine, store.NewText("k-1", "outbox", "+447700900001", NUMBER, "Other")
    )
    assert (again.created, again.opted_out) == (False, True)
    assert (again.text.id, again.text.body, again.text.status, again.text.attempts) == (
        first.text.id,
        "Hello",
        "sent",
        1,
    )
    assert store.get_outbound(migrated_engine, first.text.id) == again.text


def test_recording_an_attempt_on_a_missing_text_is_an_error(migrated_engine: Engine) -> None:
    with pytest.raises(LookupError, match="999999"):
        store.record_attempt(migrated_engine, 999_999, store.STATUS_SENT)


def test_claiming_with_state_reads_the_state_once_per_message_id(migrated_engine: Engine) -> None:
    store.save_options(migrated_engine, NUMBER, OPTIONS)
    state = store.claim_with_state(migrated_engine, inbound("SM1"), NUMBER, timedelta(hours=2))
    assert state == store.NumberState(opted_out=False, options=OPTIONS, has_stored_options=True)
    # The same provider message id again (a retried webhook): no state, nothing processed.
    assert (
        store.claim_with_state(migrated_engine, inbound("SM1"), NUMBER, timedelta(hours=2)) is None
    )
    assert not store.claim_inbound(migrated_engine, inbound("SM1"), NUMBER)
    # Another provider's id may be the same.
    assert store.claim_inbound(migrated_engine, inbound("SM1", "notify"), NUMBER)


def test_attempts_count_up_and_keep_the_provider_id_and_last_error(
    migrated_engine: Engine,
) -> None:
    stored = store.add_outbound(
        migrated_engine, store.NewText("k-2", "twilio", "+447700900001", NUMBER, "Hi")
    )
    later = store.utcnow() + timedelta(seconds=4)
    store.record_attempt(
        migrated_engine,
        stored.text.id,
        store.STATUS_RETRYING,
        error="timeout " * 100,
        next_attempt_at=later,
    )
    text = store.get_outbound(migrated_engine, stored.text.id)
    assert text is not None
    assert (text.status, text.attempts, len(text.last_error or "")) == ("retrying", 1, 500)
    store.record_attempt(
        migrated_engine, stored.text.id, store.STATUS_SENT, provider_message_id="SM-out-1"
    )
    store.record_attempt(
        migrated_engine, stored.text.id, store.STATUS_SENT, counts_as_attempt=False
    )  # no provider id this time: the first is kept
    row = _row(migrated_engine, stored.text.id)
    assert (row["status"], row["attempts"], row["last_error"], row["provider_message_id"]) == (
        "sent",
        2,
        None,
        "SM-out-1",
    )
    assert row["next_attempt_at"] is None and row["updated_at"] >= stored.text.created_at


def test_a_text_delivered_by_storing_it_is_stored_as_sent_in_one_write(
    migrated_engine: Engine,
) -> None:
    new = store.NewText("k-3", "outbox", "+447700900001", NUMBER, "Hello")
    stored = store.add_delivered(migrated_engine, new)
    assert (stored.created, stored.opted_out) == (True, False)
    assert (stored.text.status, stored.text.attempts) == ("sent", 1)
    row = _row(migrated_engine, stored.text.id)
    assert (row["status"], row["attempts"], row["body"], row["next_attempt_at"]) == (
        "sent",
        1,
        "Hello",
        None,
    )
    assert row["updated_at"] == row["created_at"]  # no second write marked it sent
    # The same key again keeps the first text.
    again = store.add_delivered(
        migrated_engine, store.NewText("k-3", "outbox", "+447700900001", NUMBER, "Other")
    )
    assert (again.created, again.text.id, again.text.body) == (False, stored.text.id, "Hello")


def test_a_text_delivered_by_storing_it_is_suppressed_after_stop_except_the_confirmation(
    migrated_engine: Engine,
) -> None:
    store.set_opted_out(migrated_engine, NUMBER, True)
    held = store.add_delivered(
        migrated_engine, store.NewText("k-4", "outbox", "+447700900001", NUMBER, "A reminder")
    )
    confirmation = store.add_delivered(
        migrated_engine,
        store.NewText("k-5", "outbox", "+447700900001", NUMBER, "Opted out"),
        send_when_opted_out=True,
    )
    assert (held.opted_out, held.text.status, held.text.attempts) == (True, "suppressed", 0)
    assert _row(migrated_engine, held.text.id)["status"] == "suppressed"
    assert (confirmation.text.status, confirmation.text.attempts) == ("sent", 1)


@pytest.mark.parametrize("delivered", [True, False])
def test_options_are_stored_with_the_text_that_offers_them_or_not_at_all(
    migrated_engine: Engine,
    delivered: bool,
) -> None:
    def add(key: str, body: str, options: list[dict[str, object]]) -> store.StoredText:
        if delivered:
            return store.add_delivered(
                migrated_engine,
                store.NewText(key, "outbox", "+447700900001", NUMBER, body),
                options=options,
            )
        return store.add_outbound(
            migrated_engine,
            store.NewText(key, "twilio", "+447700900001", NUMBER, body),
            options=options,
        )

    add("k-6", "Pick 1 or 2", OPTIONS)
    assert store.number_state(migrated_engine, NUMBER, timedelta(hours=2)).options == OPTIONS
    # A text that cannot be stored (no body) takes its options' change with it.
    with pytest.raises(Exception, match="(?i)null"):
        add("k-7", None, [])  # type: ignore[arg-type]
    assert store.number_state(migrated_engine, NUMBER, timedelta(hours=2)).options == OPTIONS
    add("k-8", "Thanks", [])  # a reply without options forgets the earlier ones
    assert not store.number_state(migrated_engine, NUMBER, timedelta(hours=2)).has_stored_options


def _inbound_row(engine: Engine, message_id: str) -> Any:
    with engine.connect() as connection:
        return connection.execute(
            select(store.SmsInbound.__table__).where(
                store.SmsInbound.provider_message_id == message_id
            )
        ).one()


def test_a_text_keeps_its_number_and_words_only_until_it_is_processed(
    migrated_engine: Engine,
) -> None:
    assert store.claim_inbound(migrated_engine, inbound("SM1"), NUMBER)
    row = _inbound_row(migrated_engine, "SM1")
    assert (row.sender, row.body, row.processed_at) == ("+447700900001", "hello", None)
    # Not yet stale: a live process is still working on it.
    assert store.unfinished_inbound(migrated_engine, timedelta(minutes=5)) == []
    assert store.unfinished_inbound(migrated_engine, timedelta(0)) == [inbound("SM1")]

    store.mark_processed(migrated_engine, "twilio", "SM1")
    row = _inbound_row(migrated_engine, "SM1")
    assert (row.sender, row.body, row.number_hash) == (None, None, NUMBER)
    assert row.processed_at is not None
    assert store.unfinished_inbound(migrated_engine, timedelta(0)) == []
    # Processed is per provider's message id: another provider's SM1 is still unfinished.
    assert store.claim_inbound(migrated_engine, inbound("SM1", "notify"), NUMBER)
    assert store.unfinished_inbound(migrated_engine, timedelta(0)) == [inbound("SM1", "notify")]


@pytest.mark.parametrize("delivered", [True, False])
def test_a_reply_marks_the_text_it_answers_processed_in_its_own_write(
    migrated_engine: Engine,
    delivered: bool,
) -> None:
    add = store.add_delivered if delivered else store.add_outbound
    provider = "outbox" if delivered else "twilio"
    for message_id in ("SM2", "SM3"):
        assert store.claim_inbound(migrated_engine, inbound(message_id), NUMBER)
    add(
        migrated_engine,
        store.NewText("k-9", provider, "+447700900001", NUMBER, "Tuesday"),
        answers=("twilio", "SM2"),
    )
    row = _inbound_row(migrated_engine, "SM2")
    assert (row.sender, row.body) == (None, None) and row.processed_at is not None
    assert store.unfinished_inbound(migrated_engine, timedelta(0)) == [inbound("SM3")]
    # A text that cannot be stored leaves the text it answers unprocessed.
    with pytest.raises(Exception, match="(?i)null"):
        add(
            migrated_engine,
            store.NewText("k-10", provider, "+447700900001", NUMBER, None),  # type: ignore[arg-type]
            answers=("twilio", "SM3"),
        )
    assert store.unfinished_inbound(migrated_engine, timedelta(0)) == [inbound("SM3")]
