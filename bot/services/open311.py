"""The council's back office over Open311 GeoReport v2, as a `CaseSystem`.

Speaks the JSON flavour of the standard used by FixMyStreet and many councils:
GET services.json, POST requests.json (form-encoded), GET requests/{id}.json and,
for servers that answer a POST with a token, GET tokens/{token}.json.
Every answer is checked before use: the other end is not trusted to keep the spec.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from bot import clock
from bot.postcodes import normalise_postcode
from bot.services.case_system import (
    CaseSystemRejected,
    CaseSystemUnavailable,
    CreatedRequest,
    NewRequest,
    RequestNotFound,
    RequestStatus,
)
from bot.services.open311_fields import (
    as_bool,
    as_identifier,
    as_text,
    parse_datetime,
)
from bot.services.open311_http import Open311Http

logger = logging.getLogger(__name__)

CATEGORIES = ("missed_bin", "pothole", "street_light", "fly_tipping")
# Only these characters may go into a URL path: no '/', '.', '%' or '?' tricks.
_SAFE_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")
_ATTRIBUTE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_UPRN = re.compile(r"^[0-9]{1,12}$")
MAX_DESCRIPTION = 4000
MAX_LOCATION = 500
_MAX_CONTACT = 254

# Open311 says open|closed; FixMyStreet's extension adds finer states. Ours are
# received | in_progress | scheduled | completed | closed.
_STATUSES = {
    "open": "received",
    "confirmed": "received",
    "investigating": "in_progress",
    "in_progress": "in_progress",
    "action_scheduled": "scheduled",
    "scheduled": "scheduled",
    "fixed": "completed",
    "completed": "completed",
    "closed": "closed",
    "duplicate": "closed",
    "not_councils_responsibility": "closed",
    "unable_to_fix": "closed",
    "no_further_action": "closed",
    "internal_referral": "closed",
}


@dataclass(frozen=True)
class Open311Service:
    """One entry of GET services.json."""

    service_code: str
    service_name: str
    description: str = ""
    metadata: bool = False
    type: str = "realtime"  # realtime | batch | blackbox
    keywords: tuple[str, ...] = ()
    group: str = ""


class Open311CaseSystem:
    """A `CaseSystem` backed by an Open311 GeoReport v2 endpoint.

    `base_url` is the endpoint root (e.g. 'https://council.example/open311/v2');
    `service_codes` maps our categories to the endpoint's service codes
    (default: the category name itself). Raises ValueError on a bad base URL.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        jurisdiction_id: str | None = None,
        timeout: float = 5.0,
        service_codes: dict[str, str] | None = None,
    ) -> None:
        self._http = Open311Http(base_url, timeout)
        self._api_key = api_key or ""
        self._jurisdiction_id = (jurisdiction_id or "").strip() or None
        self._service_codes = {c: c for c in CATEGORIES}
        self._service_codes.update(service_codes or {})
        self._categories = {code: cat for cat, code in self._service_codes.items()}

    def close(self) -> None:
        """Release the pooled HTTP connections."""
        self._http.close()

    @staticmethod
    def normalise_reference(text: str) -> str | None:
        """A reference as a resident typed it (' #204117 ') -> '204117' (case kept: some
        servers' ids are case-sensitive); None when it cannot be an Open311 id.
        Open311 ids are the server's own, not our 'MB-204117' form."""
        if not isinstance(text, str) or len(text) > 80:
            return None
        candidate = text.strip().lstrip("#").strip()
        return candidate if _SAFE_ID.match(candidate) else None

    # -- the CaseSystem interface -------------------------------------------------

    def create(self, request: NewRequest) -> CreatedRequest:
        """POST requests.json. Raises CaseSystemRejected (invalid, incl. HTTP 400)
        or CaseSystemUnavailable (unreachable, 5xx, bad key, unreadable answer)."""
        form = self._request_form(request)
        try:
            payload = self._http.call("POST", "requests.json", data=form)
        except RequestNotFound as exc:
            raise CaseSystemUnavailable("Open311 has no requests.json at that URL") from exc
        entry = _first_entry(payload)
        reference = as_identifier(entry.get("service_request_id"))
        if reference is None:
            token = as_identifier(entry.get("token"))
            if token is None:
                raise CaseSystemUnavailable("Open311 answered a new request without id or token")
            reference = self._resolve_token(token)
        return CreatedRequest(reference=reference, status="received", created_at=clock.now())

    def status(self, reference: str, postcode: str | None = None) -> RequestStatus:
        """GET requests/{reference}.json. With a postcode, it must match the request's
        zipcode (else RequestNotFound) and the location is included; without one,
        status only. Raises RequestNotFound or CaseSystemUnavailable."""
        reference = reference.strip() if isinstance(reference, str) else ""
        if not _SAFE_ID.match(reference):
            raise RequestNotFound("not a valid reference")
        expected = None
        if postcode is not None and postcode.strip():
            expected = normalise_postcode(postcode)
            if expected is None:
                raise RequestNotFound("not a valid postcode")
        try:
            payload = self._http.call("GET", f"requests/{reference}.json", params=self._query())
        except CaseSystemRejected as exc:
            # A server that finds the id malformed has no such request either.
            raise RequestNotFound(reference) from exc
        if isinstance(payload, list) and not payload:
            raise RequestNotFound(reference)
        entry = _first_entry(payload)
        found_id = as_identifier(entry.get("service_request_id"))
        if found_id is None or found_id.upper() != reference.upper():
            raise CaseSystemUnavailable("Open311 answered with a different or no request id")
        if expected is not None:
            zipcode = entry.get("zipcode")
            if not isinstance(zipcode, str) or normalise_postcode(zipcode) != expected:
                raise RequestNotFound(reference)
        return self._to_status(found_id, entry, with_location=expected is not None)

    def list_services(self) -> list[Open311Service]:
        """GET services.json: the services the endpoint takes. Malformed entries are
        skipped (and logged); a malformed answer raises CaseSystemUnavailable."""
        try:
            payload = self._http.call("GET", "services.json", params=self._query())
        except (RequestNotFound, CaseSystemRejected) as exc:
            raise CaseSystemUnavailable(f"Open311 services list failed: {exc}") from exc
        if not isinstance(payload, list):
            raise CaseSystemUnavailable("Open311 services answer is not a list")
        services = []
        for entry in payload:
            service = _to_service(entry)
            if service is None:
                logger.warning("Open311: skipped a malformed service entry")
            else:
                services.append(service)
        return services

    # -- building and reading -------------------------------------------------------

    def _query(self) -> dict[str, str]:
        query = {}
        if self._api_key:
            query["api_key"] = self._api_key
        if self._jurisdiction_id:
            query["jurisdiction_id"] = self._jurisdiction_id
        return query

    def _request_form(self, request: NewRequest) -> dict[str, str]:
        code = self._service_codes.get(request.category)
        if not code:
            raise CaseSystemRejected(f"no Open311 service code for category {request.category!r}")
        description = _required_text(request.description, "description", MAX_DESCRIPTION)
        address = _required_text(request.location, "location", MAX_LOCATION)
        postcode = normalise_postcode(request.postcode) if request.postcode else None
        if request.postcode and postcode is None:
            raise CaseSystemRejected("postcode is not a valid UK postcode")
        if postcode and postcode.replace(" ", "") not in address.upper().replace(" ", ""):
            address = f"{address}, {postcode}"
        form = {"service_code": code, "description": description, "address_string": address}
        form.update(self._query())
        if request.uprn:
            if not _UPRN.match(request.uprn):
                raise CaseSystemRejected("UPRN must be up to 12 digits")
            form["address_id"] = request.uprn
        optional = {
            "email": request.contact_email,
            "phone": request.contact_phone,
            "first_name": request.extra.get("first_name"),
            "last_name": request.extra.get("last_name"),
        }
        for name, value in optional.items():
            if value:
                form[name] = _required_text(value, name, _MAX_CONTACT)
        attributes = dict(request.extra)
        if request.bin_stream:
            attributes["bin_stream"] = request.bin_stream
        for name, value in attributes.items():
            if name in ("first_name", "last_name"):
                continue
            if not _ATTRIBUTE_NAME.match(name):
                raise CaseSystemRejected(f"attribute name {name!r} is not allowed")
            form[f"attribute[{name}]"] = _required_text(value, name, MAX_LOCATION)
        return form

    def _resolve_token(self, token: str) -> str:
        """The request id behind a token; the token itself while the server has none yet."""
        try:
            payload = self._http.call("GET", f"tokens/{token}.json", params=self._query())
        except (RequestNotFound, CaseSystemRejected, CaseSystemUnavailable) as exc:
            # The request is lodged already: failing now would invite a duplicate.
            logger.warning("Open311: token %s not resolved (%s); using the token", token, exc)
            return token
        if isinstance(payload, list) and payload and isinstance(payload[0], dict):
            found = as_identifier(payload[0].get("service_request_id"))
            if found is not None:
                return found
        logger.info("Open311: token %s has no request id yet; using the token", token)
        return token

    def _to_status(
        self, reference: str, entry: dict[str, Any], with_location: bool
    ) -> RequestStatus:
        raw_status = entry.get("status")
        if not isinstance(raw_status, str) or not raw_status.strip():
            raise CaseSystemUnavailable("Open311 request has no status")
        status = _STATUSES.get(raw_status.strip().lower())
        if status is None:
            logger.warning("Open311: unknown status %r read as received", raw_status[:40])
            status = "received"
        updated_at = parse_datetime(entry.get("updated_datetime")) or parse_datetime(
            entry.get("requested_datetime")
        )
        if updated_at is None:
            raise CaseSystemUnavailable("Open311 request has no readable date")
        code = as_identifier(entry.get("service_code"), pattern=r"^[^\x00-\x1f]{1,100}$")
        return RequestStatus(
            reference=reference,
            category=self._categories.get(code or "", "other"),
            status=status,
            updated_at=updated_at,
            note=as_text(entry.get("status_notes"), 1000),
            location=(as_text(entry.get("address"), MAX_LOCATION) or None)
            if with_location
            else None,
        )


def _first_entry(payload: Any) -> dict[str, Any]:
    if isinstance(payload, list) and payload and isinstance(payload[0], dict):
        return payload[0]
    raise CaseSystemUnavailable("Open311 answer is not a list of objects")


def _required_text(value: Any, name: str, limit: int) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise CaseSystemRejected(f"{name} is empty")
    if len(text) > limit or re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", text):
        raise CaseSystemRejected(f"{name} is too long or has control characters")
    return text


def _to_service(entry: Any) -> Open311Service | None:
    if not isinstance(entry, dict):
        return None
    code = as_identifier(entry.get("service_code"), pattern=r"^[^\x00-\x1f]{1,100}$")
    name = as_text(entry.get("service_name"), 200)
    if code is None or not name:
        return None
    keywords = entry.get("keywords")
    if isinstance(keywords, list):
        words = tuple(as_text(k, 50) for k in keywords[:50] if as_text(k, 50))
    else:
        words = tuple(w.strip() for w in as_text(keywords, 1000).split(",") if w.strip())
    return Open311Service(
        service_code=code,
        service_name=name,
        description=as_text(entry.get("description"), 1000),
        metadata=as_bool(entry.get("metadata")),
        type=as_text(entry.get("type"), 20) or "realtime",
        keywords=words,
        group=as_text(entry.get("group"), 200),
    )
