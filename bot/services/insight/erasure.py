"""Subject access and erasure: find one resident's data by phone number, email address or
conversation id, show it, and remove it.

What is found: conversations (by id; an SMS conversation's id is the phone number; or any
conversation whose text contains the phone number or email), handoff tickets of those
conversations or with that contact, service requests with that contact, texts sent to the
number, and reminder/alert subscriptions. Erasure keeps the counts (daily aggregates),
blanks ticket messages, clears request contact details and descriptions, and deletes SMS
records except the opt-out. Subscriptions are listed, not removed: unsubscribe them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from sqlalchemy.engine import Engine

from bot.db import insight as store
from bot.db import insight_privacy as privacy_store
from bot.db.session import session_scope
from bot.nlp.entities import normalise_email
from bot.phones import normalise_uk_phone
from bot.privacy import hash_identifier
from bot.services.insight.retention import counts_then_forget

ERASED_TEXT = "[erased at the resident's request]"


class ResidentNotIdentified(ValueError):
    """No usable phone number, email address or conversation id was given."""


@dataclass(frozen=True)
class ResidentKeys:
    """How to recognise one resident's data."""

    phone: str | None = None
    email: str | None = None
    conversation_ids: tuple[str, ...] = field(default_factory=tuple)


def resident_keys(
    phone: str | None = None, email: str | None = None, conversation_id: str | None = None
) -> ResidentKeys:
    """Validated keys; raises ResidentNotIdentified when none is usable."""
    e164 = normalise_uk_phone(phone) if phone else None
    address = normalise_email(email) if email else None
    if phone and not e164:
        raise ResidentNotIdentified("that is not a UK phone number")
    if email and not address:
        raise ResidentNotIdentified("that is not an email address")
    conversation = (conversation_id or "").strip()
    if len(conversation) > 255:
        raise ResidentNotIdentified("a conversation id is at most 255 characters")
    if not (e164 or address or conversation):
        raise ResidentNotIdentified("give a phone number, an email address or a conversation id")
    return ResidentKeys(e164, address, (conversation,) if conversation else ())


def _needles(keys: ResidentKeys) -> list[str]:
    found = []
    if keys.phone:
        national = "0" + keys.phone[3:]
        found += [keys.phone, national, f"{national[:5]} {national[5:]}"]
    if keys.email:
        found.append(keys.email)
    return found


def _conversation_ids(tracker: Engine, keys: ResidentKeys) -> list[str]:
    ids = set(privacy_store.senders_with_id(tracker, [*keys.conversation_ids, keys.phone or ""]))
    ids.update(privacy_store.senders_mentioning(tracker, _needles(keys)))
    return sorted(ids)


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
    contacts = [c for c in (keys.phone, keys.email) if c]
    with session_scope(project) as session:
        tickets = {t.id: t for t in store.tickets_of_conversations(session, ids)}
        tickets.update({t.id: t for t in privacy_store.tickets_with_contact(session, contacts)})
        messages = store.ticket_messages(session, list(tickets))
        requests = store.requests_with_contact(session, keys.phone, keys.email)
        texts = privacy_store.sms_sent_to(session, keys.phone) if keys.phone else []
        subscriptions = privacy_store.subscriptions_for(session, contacts)
        return {
            "conversations": [
                {"conversation_id": sender, "messages": [
                    {"at": _time(e.timestamp), "from": "resident" if e.type_name == "user"
                     else "assistant", "text": e.data.get("text")}
                    for e in found if e.type_name in ("user", "bot") and e.data.get("text")
                ]}
                for sender, found in events.items()
            ],
            "handoff_tickets": [
                {"id": t.id, "conversation_id": t.conversation_id, "opened": _time(t.created_at),
                 "reason": t.reason, "contact": t.contact,
                 "messages": [{"at": _time(m.created_at), "from": m.author_kind, "text": m.text}
                              for m in messages if m.ticket_id == t.id]}
                for t in tickets.values()
            ],
            "service_requests": [
                {"reference": r.reference, "category": r.category, "status": r.status,
                 "created": _time(r.created_at), "location": r.location,
                 "description": r.description, "contact_phone": r.contact_phone,
                 "contact_email": r.contact_email}
                for r in requests
            ],
            "texts_sent": [{"at": _time(s.created_at), "text": s.body} for s in texts],
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
    contacts = [c for c in (keys.phone, keys.email) if c]
    with session_scope(project) as session:
        tickets = privacy_store.tickets_with_contact(session, contacts)
        blanked += store.blank_ticket_texts(session, [t.id for t in tickets], ERASED_TEXT)
        requests = store.requests_with_contact(session, keys.phone, keys.email)
        for request in requests:
            request.contact_phone = None
            request.contact_email = None
            request.description = ERASED_TEXT
        sms = (
            privacy_store.delete_sms_records(session, keys.phone, hash_identifier(keys.phone))
            if keys.phone else 0
        )
    return {
        "conversations": len(ids),
        "events_deleted": events_deleted,
        "ticket_messages_blanked": blanked,
        "requests_cleared": len(requests),
        "sms_records_deleted": sms,
    }
