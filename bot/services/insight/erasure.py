"""Subject access and erasure: find one resident's data by phone number, email address or
conversation id, show it, and remove it.

A number is recognised however it was written ("07700 900555", "+44 (0)7700 900555",
"447700900555" ...) and an email address whatever its case (resident_match.py).

What is found: conversations (by id: an SMS conversation's id is `sms:<keyed hash of the
number>`, or the number itself for ones from before ids were hashed; or any conversation
whose text holds the number or email), handoff tickets of those conversations, with that
contact or with a message holding it, service requests with that contact or description,
texts sent to the number and the number kept for its SMS conversation, and reminder/alert
subscriptions. Erasure keeps the counts (daily aggregates), blanks those tickets' messages
and contacts, clears request contact details and descriptions, deletes SMS records except
the opt-out (a hash only: it stops us texting the number again), and deletes the
subscriptions with their codes and deliveries (the consent record, a hash with the
wording, stays as proof of consent, marked withdrawn).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.db import insight as store
from bot.db import insight_privacy as privacy_store
from bot.db.handoff import HandoffTicket
from bot.db.models import ServiceRequest
from bot.db.session import session_scope
from bot.db.sms import conversation_id as sms_conversation_id
from bot.privacy import hash_identifier
from bot.services.insight.resident_match import (
    mentions,
    normalise_contact_email,
    normalise_phone,
    tail_needles,
)
from bot.services.insight.retention import counts_then_forget

ERASED_TEXT = "[erased at the resident's request]"


class ResidentNotIdentified(ValueError):
    """No usable phone number, email address or conversation id was given."""


@dataclass(frozen=True)
class ResidentKeys:
    """How to recognise one resident's data: a number as E.164, an email in lower case."""

    phone: str | None = None
    email: str | None = None
    conversation_ids: tuple[str, ...] = field(default_factory=tuple)

    @property
    def phone_hash(self) -> str | None:
        return hash_identifier(self.phone) if self.phone else None


def resident_keys(
    phone: str | None = None, email: str | None = None, conversation_id: str | None = None
) -> ResidentKeys:
    """Validated keys; raises ResidentNotIdentified when none is usable."""
    e164 = normalise_phone(phone) if phone else None
    address = normalise_contact_email(email) if email else None
    if phone and not e164:
        raise ResidentNotIdentified("that is not a phone number")
    if email and not address:
        raise ResidentNotIdentified("that is not an email address")
    conversation = (conversation_id or "").strip()
    if len(conversation) > 255:
        raise ResidentNotIdentified("a conversation id is at most 255 characters")
    if not (e164 or address or conversation):
        raise ResidentNotIdentified("give a phone number, an email address or a conversation id")
    return ResidentKeys(e164, address, (conversation,) if conversation else ())


def _needles(keys: ResidentKeys) -> list[str]:
    """Cheap text filters for candidates; each is then read by `mentions`."""
    found = tail_needles(keys.phone) if keys.phone else []
    return found + ([keys.email] if keys.email else [])


def _own_ids(keys: ResidentKeys) -> list[str]:
    ids = list(keys.conversation_ids)
    if keys.phone:  # hashed (now) and plain (conversations from before)
        ids += [sms_conversation_id(hash_identifier(keys.phone)), keys.phone]
    return ids


def _conversation_ids(tracker: Engine, keys: ResidentKeys) -> list[str]:
    ids = set(privacy_store.senders_with_id(tracker, _own_ids(keys)))
    ids.update(
        sender
        for sender, data in privacy_store.events_containing(tracker, _needles(keys))
        if mentions(data, keys.phone, keys.email)
    )
    return sorted(ids)


def _has_contact(text: str | None, keys: ResidentKeys) -> bool:
    return bool(text) and mentions(str(text), keys.phone, keys.email)


def _tickets(session: Session, keys: ResidentKeys, ids: list[str]) -> list[HandoffTicket]:
    """Tickets of the conversations, with the contact, or with a message that holds it."""
    needles = _needles(keys)
    found = {t.id: t for t in store.tickets_of_conversations(session, [*ids, *_own_ids(keys)])}
    found.update(
        {
            t.id: t
            for t in privacy_store.tickets_with_contact_like(session, needles)
            if _has_contact(t.contact, keys)
        }
    )
    mentioned = {
        m.ticket_id
        for m in privacy_store.ticket_messages_like(session, needles)
        if _has_contact(m.text, keys)
    }
    missing = [i for i in mentioned if i not in found]
    if missing:
        found.update(
            {t.id: t for t in session.query(HandoffTicket).filter(HandoffTicket.id.in_(missing))}
        )
    return list(found.values())


def _requests(session: Session, keys: ResidentKeys) -> list[ServiceRequest]:
    found = {r.id: r for r in store.requests_with_contact(session, keys.phone, keys.email)}
    for request in privacy_store.requests_like(session, _needles(keys)):
        fields = (request.contact_phone, request.contact_email, request.description)
        if any(_has_contact(f, keys) for f in fields):
            found[request.id] = request
    return list(found.values())


def _contact_hashes(keys: ResidentKeys) -> list[str]:
    return [hash_identifier(c) for c in (keys.phone, keys.email) if c]


def _time(moment: float | datetime | None) -> str | None:
    if moment is None:
        return None
    if isinstance(moment, datetime):
        return moment.isoformat()
    return datetime.fromtimestamp(moment, tz=timezone.utc).isoformat()


def subject_access(tracker: Engine, project: Engine, keys: ResidentKeys) -> dict[str, Any]:
    """Everything held about the resident, as JSON-ready plain values."""
    ids = _conversation_ids(tracker, keys)
    events = store.events_of_senders(tracker, ids)
    with session_scope(project) as session:
        tickets = {t.id: t for t in _tickets(session, keys, ids)}
        messages = store.ticket_messages(session, list(tickets))
        requests = _requests(session, keys)
        number_hash = keys.phone_hash
        texts = privacy_store.sms_sent_to(session, number_hash) if number_hash else []
        kept = privacy_store.kept_number(session, number_hash) if number_hash else None
        subscriptions = privacy_store.subscriptions_for(session, _contact_hashes(keys))
        return {
            "conversations": [
                {
                    "conversation_id": sender,
                    "messages": [
                        {
                            "at": _time(e.timestamp),
                            "from": "resident" if e.type_name == "user" else "assistant",
                            "text": e.data.get("text"),
                        }
                        for e in found
                        if e.type_name in ("user", "bot") and e.data.get("text")
                    ],
                }
                for sender, found in events.items()
            ],
            "handoff_tickets": [
                {
                    "id": t.id,
                    "conversation_id": t.conversation_id,
                    "opened": _time(t.created_at),
                    "reason": t.reason,
                    "contact": t.contact,
                    "messages": [
                        {"at": _time(m.created_at), "from": m.author_kind, "text": m.text}
                        for m in messages
                        if m.ticket_id == t.id
                    ],
                }
                for t in tickets.values()
            ],
            "service_requests": [
                {
                    "reference": r.reference,
                    "category": r.category,
                    "status": r.status,
                    "created": _time(r.created_at),
                    "location": r.location,
                    "description": r.description,
                    "contact_phone": r.contact_phone,
                    "contact_email": r.contact_email,
                }
                for r in requests
            ],
            "texts_sent": [{"at": _time(s.created_at), "text": s.body} for s in texts],
            "sms_number_kept": (
                {"number": kept.number, "since": _time(kept.first_seen_at)} if kept else None
            ),
            "subscriptions": [
                {"id": s.id, "uprn": s.uprn, "status": s.status, "contact": s.contact}
                for s in subscriptions
            ],
        }


def erase(tracker: Engine, project: Engine, keys: ResidentKeys) -> dict[str, int]:
    """Remove the resident's data (see the module docstring); returns what was removed."""
    ids = _conversation_ids(tracker, keys)
    events_deleted, blanked = (
        counts_then_forget(tracker, project, ids, ERASED_TEXT) if ids else (0, 0)
    )
    with session_scope(project) as session:
        tickets = _tickets(session, keys, ids)
        blanked += store.blank_ticket_texts(session, [t.id for t in tickets], ERASED_TEXT)
        requests = _requests(session, keys)
        for request in requests:
            request.contact_phone = None
            request.contact_email = None
            request.description = ERASED_TEXT
        number_hash = keys.phone_hash
        sms = privacy_store.delete_sms_records(session, number_hash) if number_hash else 0
        subscriptions = privacy_store.subscriptions_for(session, _contact_hashes(keys))
        removed = privacy_store.delete_subscriptions(
            session, [s.id for s in subscriptions], datetime.now(timezone.utc)
        )
    return {
        "conversations": len(ids),
        "events_deleted": events_deleted,
        "ticket_messages_blanked": blanked,
        "tickets_cleared": len(tickets),
        "requests_cleared": len(requests),
        "sms_records_deleted": sms,
        "subscriptions_deleted": removed,
    }
