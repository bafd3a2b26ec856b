"""The handoff's "If you want us to contact you, send your phone number or email address",
on the real stack (REST channel, where the chat cannot be answered later): a number sent
with a no is not kept on the ticket; one sent without is; then the resident leaves the
queue."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from bot.db.handoff import HandoffTicket
from bot.db.session import session_scope
from tests.channels.handoff_stack import MODEL, handoff_stack

pytestmark = pytest.mark.skipif(not MODEL.exists(), reason="needs the trained model")


def say(base: str, sender: str, text: str) -> str:
    answer = httpx.post(
        f"{base}/webhooks/rest/webhook", timeout=60, json={"sender": sender, "message": text}
    )
    assert answer.status_code == 200, answer.text
    return "\n".join(m.get("text", "") for m in answer.json())


def contact_on_ticket(engine, sender: str) -> str | None:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        return session.scalars(
            select(HandoffTicket.contact).where(HandoffTicket.conversation_id == sender)
        ).one()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_contact_sent_with_a_no_is_not_kept_and_one_sent_after_is(
    loaded_engine, database_url, tmp_path: Path
):
    sender = "rest:consent-1"
    with handoff_stack(tmp_path, database_url) as [base]:
        asked = say(base, sender, "I want to speak to a person")
        assert "If you want us to contact you, send your phone number" in asked
        refused = say(base, sender, "no, don't contact me on 07700 900123")
        assert "A member of staff will read your message" in refused
        assert contact_on_ticket(loaded_engine, sender) is None
        say(base, sender, "sorry, yes you can text 07700 900124")
        assert contact_on_ticket(loaded_engine, sender) == "+447700900124"
        assert "left the queue" in say(base, sender, "cancel")
    with session_scope(loaded_engine) as session:
        ticket = session.scalars(
            select(HandoffTicket).where(HandoffTicket.conversation_id == sender)
        ).one()
        assert ticket.open_conversation_id is None  # closed, the number kept on it
        assert ticket.contact == "+447700900124"
