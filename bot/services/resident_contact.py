"""A way back to a resident whose channel has none (REST, or the web chat out of hours).

The assistant asks for a phone number or email address, says what it is for and that it
is optional; a resident who then sends one has agreed, and it is kept on their ticket,
unless the same message says no ("no, don't use 07700 900123").
"""

from __future__ import annotations

import re
from datetime import datetime

import phonenumbers
from sqlalchemy.orm import Session

from bot.council import Council
from bot.nlp.yes_no import NO, read_yes_no
from bot.services.handoff_queue import open_ticket_for
from bot.services.opening_hours import staff_available

EMAIL = re.compile(r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}")
MAX_TEXT = 2000


def contact_in(text: str) -> str | None:
    """The first UK phone number (E.164) or email address in `text`, or None."""
    found = _contact_at(text)
    return found[0] if found else None


def _contact_at(text: str) -> tuple[str, int] | None:
    """The contact in `text` (as `contact_in`) and where it starts."""
    text = (text or "")[:MAX_TEXT]
    email = EMAIL.search(text)
    if email:
        return email.group(0).lower(), email.start()
    # Possible rather than valid: Ofcom's drama and test ranges must work in the demo.
    for match in phonenumbers.PhoneNumberMatcher(text, "GB", phonenumbers.Leniency.POSSIBLE):
        number = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        return number, match.start
    return None


def refuses_contact(text: str) -> bool:
    """'No, don't use 07700 900123', 'I don't want you to contact me on jo@example.org':
    what comes before the contact says no (bot/nlp/yes_no.py), so it is not consent."""
    found = _contact_at(text)
    return found is not None and read_yes_no(text[: found[1]]) == NO


def asked_for_contact(council: Council, channel: str, opened_at: datetime) -> bool:
    """True where the assistant asked for contact details: REST, or web chat out of hours."""
    return channel == "rest" or (channel == "web" and not staff_available(council, opened_at))


def remember_contact(
    session: Session, council: Council, conversation_id: str, text: str
) -> str | None:
    """Keep a contact the resident sent on their open ticket, where we asked for one.

    Returns the contact stored, or None (no open ticket, not asked, none in the text,
    a no said with it, or one already kept).
    """
    ticket = open_ticket_for(session, conversation_id)
    if (
        ticket is None
        or ticket.contact
        or not asked_for_contact(council, ticket.channel, ticket.created_at)
    ):
        return None
    contact = contact_in(text)
    if contact is None or refuses_contact(text):
        return None
    ticket.contact = contact[:200]
    return contact
