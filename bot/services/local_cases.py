"""The case system in our own database (the default when no Open311 endpoint is set).

What a status look-up shows (the privacy rule):
- the reference alone: the category, the status, the date of the last update
  and that update's resident-facing note. Notes are standard phrases written for
  residents; they never hold personal details.
- the reference and the request's postcode: also the location and the whole
  history. A postcode that does not match gives RequestNotFound, exactly as an
  unknown reference does, so a look-up never says "right reference, wrong postcode".
Throttling failed look-ups per conversation is the caller's job
(bot.services.lookup_throttle), as only the caller knows the conversation.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm import Session

from bot import clock
from bot.clock import LONDON
from bot.db.models import CHANNELS, ServiceRequest, StatusUpdateRecord
from bot.db.session import session_scope
from bot.postcodes import normalise_postcode
from bot.references import PREFIX_FOR_CATEGORY, normalise_reference
from bot.services.case_system import (
    CaseSystemRejected,
    CaseSystemUnavailable,
    CreatedRequest,
    NewRequest,
    RequestNotFound,
    RequestStatus,
    StatusUpdate,
)
from bot.services.service_requests import open_missed_bin_reference

FIRST_NOTE = "We have received your report."
MAX_DESCRIPTION = 2000
MAX_LOCATION = 200
MAX_ATTEMPTS = 20
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_UPRN = re.compile(r"^[0-9]{1,12}$")
_STREAM = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s]{1,60}$")
_PHONE = re.compile(r"^\+?[0-9 ()-]{6,31}$")


class LocalCaseSystem:
    """CaseSystem on the council database (bot.db.models.ServiceRequest)."""

    def __init__(self, engine: Engine, now: Callable[[], datetime] = clock.now) -> None:
        self._engine = engine
        self._now = now

    def create(self, request: NewRequest) -> CreatedRequest:
        """Lodge `request` with a new reference (e.g. MB-204117), status 'received' and a first
        history entry, all in one transaction.

        A missed bin for an address and bin with an open report is not lodged twice: the
        existing report's reference comes back instead. Raises CaseSystemRejected for an
        invalid request and CaseSystemUnavailable when the database cannot be reached.
        """
        values = _validated(request)
        prefix = PREFIX_FOR_CATEGORY[request.category]
        for _ in range(MAX_ATTEMPTS):
            try:
                with self._session() as session:
                    existing = _open_duplicate(session, values)
                    if existing is not None:
                        return existing
                    return self._insert(session, prefix, values)
            except IntegrityError:
                # A reference already taken, or the same bin reported at the same moment
                # by another conversation: try again (the next pass finds that report).
                continue
        raise CaseSystemUnavailable("could not allocate a unique reference")

    def status(self, reference: str, postcode: str | None = None) -> RequestStatus:
        """The status of `reference`; location and history only when `postcode` matches.

        Raises RequestNotFound for an unknown or malformed reference, and for a postcode
        that is invalid or not the request's; CaseSystemUnavailable when the database is down.
        """
        normal = normalise_reference(reference) if isinstance(reference, str) else None
        wanted = None
        if postcode is not None:
            wanted = normalise_postcode(postcode)
            if wanted is None:
                raise RequestNotFound(reference)
        if normal is None:
            raise RequestNotFound(reference)
        with self._session() as session:
            found = session.scalar(select(ServiceRequest).where(ServiceRequest.reference == normal))
            if found is None or (postcode is not None and found.postcode != wanted):
                raise RequestNotFound(normal)
            return _status_of(found, with_details=postcode is not None)

    @contextmanager
    def _session(self) -> Iterator[Session]:
        try:
            with session_scope(self._engine) as session:
                yield session
        except (OperationalError, InterfaceError) as error:
            raise CaseSystemUnavailable("the case database cannot be reached") from error
        except DBAPIError as error:
            if error.connection_invalidated:
                raise CaseSystemUnavailable("the case database connection was lost") from error
            raise

    def _insert(self, session: Session, prefix: str, values: dict) -> CreatedRequest:
        moment = self._now()
        reference = f"{prefix}-{secrets.randbelow(10**6):06d}"
        record = ServiceRequest(
            reference=reference, status="received", created_at=moment, updated_at=moment, **values
        )
        record.updates.append(StatusUpdateRecord(status="received", at=moment, note=FIRST_NOTE))
        session.add(record)
        session.flush()
        return CreatedRequest(
            reference=reference, status="received", created_at=moment.astimezone(LONDON)
        )


def _open_duplicate(session: Session, values: dict) -> CreatedRequest | None:
    if values["category"] != "missed_bin":
        return None
    reference = open_missed_bin_reference(session, values["uprn"], values["bin_stream"])
    if reference is None:
        return None
    existing = session.scalar(select(ServiceRequest).where(ServiceRequest.reference == reference))
    return CreatedRequest(
        reference=existing.reference,
        status=existing.status,
        created_at=existing.created_at.astimezone(LONDON),
    )


def _status_of(request: ServiceRequest, with_details: bool) -> RequestStatus:
    latest = request.updates[-1] if request.updates else None
    updated_at = max(request.updated_at, latest.at) if latest else request.updated_at
    history = (
        tuple(
            StatusUpdate(status=u.status, at=u.at.astimezone(LONDON), note=u.note)
            for u in request.updates
        )
        if with_details
        else ()
    )
    return RequestStatus(
        reference=request.reference,
        category=request.category,
        status=request.status,
        updated_at=updated_at.astimezone(LONDON),
        note=latest.note if latest else "",
        location=request.location if with_details else None,
        history=history,
    )


def _text(
    value: object, name: str, limit: int, required: bool = False, multiline: bool = False
) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise CaseSystemRejected(f"{name} is required")
        return None
    if not isinstance(value, str):
        raise CaseSystemRejected(f"{name} must be text")
    text = value.strip()
    if len(text) > limit:
        raise CaseSystemRejected(f"{name} is longer than {limit} characters")
    if _CONTROL.search(text) or (not multiline and ("\n" in text or "\r" in text)):
        raise CaseSystemRejected(f"{name} contains control characters")
    return text


def _validated(request: NewRequest) -> dict:
    """The request's values ready to store; CaseSystemRejected saying what is wrong."""
    if request.category not in PREFIX_FOR_CATEGORY:
        raise CaseSystemRejected(f"unknown category {request.category!r}")
    if request.channel not in CHANNELS:
        raise CaseSystemRejected(f"unknown channel {request.channel!r}")
    postcode = None
    if request.postcode:
        postcode = normalise_postcode(request.postcode)
        if postcode is None:
            raise CaseSystemRejected("postcode is not a valid UK postcode")
    uprn = _text(request.uprn, "uprn", 12)
    if uprn is not None and not _UPRN.match(uprn):
        raise CaseSystemRejected("uprn must be up to 12 digits")
    stream = _text(request.bin_stream, "bin_stream", 32)
    if stream is not None and not _STREAM.match(stream):
        raise CaseSystemRejected("bin_stream must be a lower-case word such as 'refuse'")
    if request.category == "missed_bin" and (uprn is None or stream is None):
        raise CaseSystemRejected("a missed bin needs the address (uprn) and the bin (bin_stream)")
    phone = _text(request.contact_phone, "contact_phone", 32)
    if phone is not None and not _PHONE.match(phone):
        raise CaseSystemRejected("contact_phone is not a phone number")
    email = _text(request.contact_email, "contact_email", 254)
    if email is not None and not _EMAIL.match(email):
        raise CaseSystemRejected("contact_email is not an email address")
    collection = _collection_date(request.extra.get("collection_date"))
    return {
        "category": request.category,
        "description": _text(request.description, "description", MAX_DESCRIPTION, multiline=True)
        or "",
        "location": _text(request.location, "location", MAX_LOCATION, required=True),
        "postcode": postcode,
        "uprn": uprn,
        "bin_stream": stream,
        "collection_date": collection,
        "channel": request.channel,
        "contact_phone": phone,
        "contact_email": email,
    }


def _collection_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise CaseSystemRejected("extra collection_date is not a date like 2026-11-23") from None
