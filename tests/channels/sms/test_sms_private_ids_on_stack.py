"""A texted conversation on the real stack (action server, Rasa with the trained model, the
SMS outbox channel, the staff queue, SQLite tracker store) is kept under `sms:<keyed hash
of the number>`, never the number; a staff reply still reaches the number; STOP still
stops the texts; and erasure by another spelling of the number removes it all."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from bot.content import get_content
from bot.db.handoff import HandoffTicket, TicketMessage
from bot.db.insight import tracker_events as events_table
from bot.db.session import make_engine, session_scope
from bot.db.sms import SmsNumber, SmsOptOut, SmsOutbound
from bot.privacy import hash_identifier
from tests.channels.handoff_cycle_support import (
    SmsResident,
    stack_with_an_advisor,
    tickets_of,
)
from tests.channels.handoff_stack import MODEL

pytestmark = [
    pytest.mark.model,
    pytest.mark.skipif(not MODEL.exists(), reason="needs the trained model"),
]

CONTENT = get_content()
PROJECT_ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, _database_templates) -> Iterator:
    workdir = Path(tmp_path_factory.mktemp("sms-private-ids"))
    with stack_with_an_advisor(workdir, _database_templates.sqlite_file("loaded")) as stack:
        stack.tracker = make_engine(f"sqlite:///{workdir / 'tracker.db'}")
        stack.database_url = str(stack.engine.url)
        yield stack
        stack.tracker.dispose()


def senders(stack) -> set[str]:  # type: ignore[no-untyped-def]
    with stack.tracker.connect() as connection:
        return set(connection.execute(select(events_table.c.sender_id).distinct()).scalars())


def tracker_text(stack) -> str:  # type: ignore[no-untyped-def]
    with stack.tracker.connect() as connection:
        return " ".join(str(d) for d in connection.execute(select(events_table.c.data)).scalars())


async def test_a_text_is_kept_under_a_hash_staff_reach_the_number_stop_works_and_erasure_by_any_spelling_removes_it(  # noqa: E501
    stack,
) -> None:
    resident = SmsResident(stack.base)
    number_hash = hash_identifier(resident.e164)
    replies = await resident.say("I want to speak to someone")
    assert any("in the queue" in r for r in replies), replies

    # The conversation, its ticket and its texts: the hash, never the number.
    assert resident.id == f"sms:{number_hash}" and resident.id in senders(stack)
    assert not any(resident.number[1:] in s for s in senders(stack))
    assert resident.number[1:] not in tracker_text(stack)
    [ticket] = tickets_of(stack.engine, resident.id)
    assert ticket.channel == "sms"

    # A staff reply reaches the number; sent texts keep only its hash.
    stack.ann.post(f"/staff/api/tickets/{ticket.id}/claim")
    stack.ann.post(f"/staff/api/tickets/{ticket.id}/reply", {"text": "Your band is C."})
    await resident.wait_for("Your band is C.")
    with session_scope(stack.engine) as session:
        sent = (
            session.execute(select(SmsOutbound).where(SmsOutbound.recipient_hash == number_hash))
            .scalars()
            .all()
        )
        assert sent and {(t.status, t.recipient) for t in sent} == {("sent", None)}
        assert session.get(SmsNumber, number_hash).number == resident.e164

    # STOP still stops the texts.
    stack.ann.post(f"/staff/api/tickets/{ticket.id}/resolve", {"outcome": "answered"})
    await resident.wait_for(CONTENT.text("handoff_handed_back"))
    stopped = await resident.say("STOP")
    assert any("no more texts" in r for r in stopped), stopped
    async with httpx.AsyncClient(timeout=60) as client:
        answer = await client.post(
            f"{stack.base}/webhooks/sms/simulator",
            json={"from": resident.number, "body": "when is my bin day"},
        )
    assert answer.status_code == 202
    await asyncio.sleep(6)
    assert resident._new_texts() == []

    # Erasure by another way of writing the number, as staff would run it.
    spelling = f"+44 (0){resident.number[1:5]} {resident.number[5:]}"
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "DATABASE_URL": stack.database_url,
        "TRACKER_DATABASE_URL": str(stack.tracker.url),
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot", "privacy", "erase", "--phone", spelling, "--yes"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert resident.id not in senders(stack)
    with session_scope(stack.engine) as session:
        assert session.get(HandoffTicket, ticket.id).contact is None
        texts = (
            session.execute(select(TicketMessage.text).where(TicketMessage.ticket_id == ticket.id))
            .scalars()
            .all()
        )
        assert texts and set(texts) == {"[erased at the resident's request]"}
        assert session.get(SmsNumber, number_hash) is None
        assert (
            session.execute(select(SmsOutbound).where(SmsOutbound.recipient_hash == number_hash))
            .scalars()
            .all()
            == []
        )
        assert session.get(SmsOptOut, number_hash) is not None  # still no texts to it
