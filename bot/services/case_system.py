"""The council's case system behind one small interface.

The assistant creates and reads service requests through `CaseSystem`; the
settings choose the local database (default) or an Open311 GeoReport v2
endpoint. Actions never talk to either directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


class CaseSystemUnavailable(RuntimeError):
    """The case system could not be reached or answered with a server error."""


class RequestNotFound(LookupError):
    """No request has that reference (or it is not visible with the details given)."""


class CaseSystemRejected(ValueError):
    """The case system refused the request as invalid (e.g. Open311 HTTP 400).

    The message says why, in the case system's words (for logs and staff, not residents).
    """


@dataclass(frozen=True)
class StatusUpdate:
    status: str  # received | in_progress | scheduled | completed | closed ...
    at: datetime  # timezone-aware
    note: str  # resident-facing


@dataclass(frozen=True)
class RequestStatus:
    """What the status look-up may show: status only, unless the postcode matched."""

    reference: str
    category: str
    status: str
    updated_at: datetime
    note: str
    location: str | None = None  # only filled when the second factor matched
    history: tuple[StatusUpdate, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class NewRequest:
    """A report ready to be lodged."""

    category: str  # missed_bin | pothole | street_light | fly_tipping
    description: str
    location: str
    postcode: str | None = None
    uprn: str | None = None
    bin_stream: str | None = None  # missed bins only
    channel: str = "web"
    contact_phone: str | None = None  # only with the resident's consent
    contact_email: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CreatedRequest:
    reference: str
    status: str
    created_at: datetime


class CaseSystem(Protocol):
    """Where service requests live."""

    def create(self, request: NewRequest) -> CreatedRequest:
        """Lodge a request; raises CaseSystemUnavailable when the system is down."""
        ...

    def status(self, reference: str, postcode: str | None = None) -> RequestStatus:
        """The status of `reference` (normalised, e.g. MB-204117).

        Personal details (location, history notes) only when `postcode` matches
        the request's. Raises RequestNotFound or CaseSystemUnavailable.
        """
        ...
