"""Contact details a resident sends after being asked (REST, or web chat out of hours)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.council import get_council
from bot.db.handoff import HandoffTicket
from bot.db.session import session_scope
from bot.services.handoff import TranscriptTurn, open_ticket
from bot.services.resident_contact import contact_in, refuses_contact, remember_contact

TUESDAY_10AM = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)
SATURDAY = datetime(2026, 11, 28, 11, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("call me on 07700 900123 please", "+447700900123"),
        ("my email is Jo.Bloggs@Example.org thanks", "jo.bloggs@example.org"),
        ("my house number is 12", None),
        ("", None),
    ],
)
def test_a_phone_number_or_email_is_found_in_what_the_resident_sent(text, found):
    assert contact_in(text) == found


def ticket(engine, conversation: str, channel: str, at: datetime) -> int:
    with session_scope(engine) as session:
        opened = open_ticket(
            session,
            conversation,
            channel,
            "general",
            "Asked for a person",
            None,
            [TranscriptTurn("resident", "a person")],
            now=at,
        )
        session.flush()
        return opened.id


@pytest.mark.parametrize(
    ("channel", "at", "kept"),
    [
        ("rest", TUESDAY_10AM, "+447700900123"),
        ("web", SATURDAY, "+447700900123"),
        ("web", TUESDAY_10AM, None),  # the chat itself is the way back: nothing asked, nothing kept
        ("sms", SATURDAY, None),
    ],
)
def test_contact_is_kept_only_where_the_assistant_asked_for_it(migrated_engine, channel, at, kept):
    ticket_id = ticket(migrated_engine, "c-1", channel, at)
    with session_scope(migrated_engine) as session:
        remember_contact(session, get_council(), "c-1", "it's 07700 900123")
    with session_scope(migrated_engine) as session:
        assert session.get(HandoffTicket, ticket_id).contact == kept


def test_the_first_contact_given_is_kept(migrated_engine):
    ticket_id = ticket(migrated_engine, "c-2", "rest", TUESDAY_10AM)
    with session_scope(migrated_engine) as session:
        remember_contact(session, get_council(), "c-2", "jo@example.org")
        assert remember_contact(session, get_council(), "c-2", "07700 900123") is None
    with session_scope(migrated_engine) as session:
        assert session.get(HandoffTicket, ticket_id).contact == "jo@example.org"


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ("no, don't use 07700 900123", True),
        ("I don't want you to contact me on jo@example.org", True),
        ("no thanks, my number is 07700 900123 but I'll call", True),
        ("nope 07700900123", True),
        ("yes, 07700 900123", False),
        ("my number is 07700 900123, I can't do mornings", False),
        ("07700 900123 but please don't call, text only", False),
        ("jo@example.org", False),
        ("no", False),  # no contact, nothing to refuse
    ],
)
def test_a_contact_sent_with_a_no_is_not_consent(text, refused):
    assert refuses_contact(text) is refused


def test_a_contact_sent_with_a_no_is_not_kept(migrated_engine):
    ticket_id = ticket(migrated_engine, "c-3", "rest", TUESDAY_10AM)
    with session_scope(migrated_engine) as session:
        assert (
            remember_contact(session, get_council(), "c-3", "no, don't contact me on 07700 900123")
            is None
        )
    with session_scope(migrated_engine) as session:
        assert session.get(HandoffTicket, ticket_id).contact is None
        assert remember_contact(session, get_council(), "c-3", "ok it's 07700 900124") == (
            "+447700900124"
        )
