"""The Open311 client against a real GeoReport v2 server on loopback."""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Iterator
from datetime import datetime

import pytest
from open311_server import Open311TestServer

from bot.clock import LONDON
from bot.services.case_system import (
    CaseSystemRejected,
    CaseSystemUnavailable,
    NewRequest,
    RequestNotFound,
)
from bot.services.open311 import Open311CaseSystem, Open311Service

CODES = {"missed_bin": "MB01", "pothole": "PH01"}


@pytest.fixture
def server() -> Iterator[Open311TestServer]:
    with Open311TestServer() as running:
        yield running


def client_for(server: Open311TestServer, **overrides: object) -> Open311CaseSystem:
    options: dict = {"service_codes": CODES, "timeout": 2.0}
    options.update(overrides)
    api_key = str(options.pop("api_key", server.api_key))
    return Open311CaseSystem(server.url, api_key, **options)


def pothole(**fields: object) -> NewRequest:
    values: dict = {
        "category": "pothole",
        "description": "Deep pothole by the bus stop",
        "location": "18 Kingfisher Way",
        "postcode": "ob4 2nd",
    }
    values.update(fields)
    return NewRequest(**values)


# -- creating ---------------------------------------------------------------------


def test_create_posts_the_spec_form_and_returns_the_new_request_id(server):
    created = client_for(server).create(pothole(uprn="100012345678"))

    assert created.reference == "204117"
    assert created.status == "received"
    assert created.created_at.tzinfo is not None
    [call] = server.received
    assert (call.method, call.path) == ("POST", "/open311/v2/requests.json")
    assert call.content_type.startswith("application/x-www-form-urlencoded")
    assert call.form == {
        "api_key": "test-key",
        "service_code": "PH01",
        "description": "Deep pothole by the bus stop",
        "address_string": "18 Kingfisher Way, OB4 2ND",
        "address_id": "100012345678",
    }
    assert call.query == {}  # the key travels in the body, not the URL


def test_create_sends_contact_details_and_bin_stream_only_when_given(server):
    client_for(server).create(
        pothole(
            category="missed_bin",
            location="18 Kingfisher Way, OB4 2ND",
            bin_stream="recycling",
            contact_email="sam@example.org",
            contact_phone="07700 900123",
            extra={"first_name": "Sam"},
        )
    )

    form = server.received[0].form
    assert form["service_code"] == "MB01"
    assert form["address_string"] == "18 Kingfisher Way, OB4 2ND"  # postcode not doubled
    assert form["email"] == "sam@example.org"
    assert form["phone"] == "07700 900123"
    assert form["first_name"] == "Sam"
    assert form["attribute[bin_stream]"] == "recycling"
    assert "last_name" not in form


def test_create_sends_the_jurisdiction_when_configured(server):
    client_for(server, jurisdiction_id="oakbridge.gov.uk").create(pothole())

    assert server.received[0].form["jurisdiction_id"] == "oakbridge.gov.uk"


def test_create_follows_a_token_to_the_request_id(server):
    server.answer_with_token = True

    created = client_for(server).create(pothole())

    assert created.reference == "204117"
    assert [c.path for c in server.received] == [
        "/open311/v2/requests.json",
        "/open311/v2/tokens/tok-204117.json",
    ]


def test_create_keeps_the_token_when_the_server_cannot_resolve_it_yet(server):
    server.answer_with_token = True
    server.resolve_tokens = False

    assert client_for(server).create(pothole()).reference == "tok-204117"


def test_create_with_a_service_code_the_server_does_not_know_is_rejected(server):
    client = client_for(server, service_codes={"pothole": "NOPE"})

    with pytest.raises(CaseSystemRejected, match="service_code was not found"):
        client.create(pothole())


@pytest.mark.parametrize(
    "fields",
    [
        {"category": "graffiti"},
        {"description": "   "},
        {"description": "x" * 4001},
        {"location": ""},
        {"postcode": "not a postcode"},
        {"uprn": "12; DROP"},
        {"extra": {"bad name!": "x"}},
        {"description": "line\x00break"},
    ],
)
def test_create_refuses_invalid_requests_before_calling_the_server(server, fields):
    with pytest.raises(CaseSystemRejected):
        client_for(server).create(pothole(**fields))

    assert server.received == []


# -- status -------------------------------------------------------------------------


def test_status_without_postcode_shows_the_status_but_not_the_location(server):
    server.add_request("204117", status="open", status_notes="A crew has been assigned.")

    status = client_for(server).status("204117")

    assert status.reference == "204117"
    assert status.category == "pothole"
    assert status.status == "received"
    assert status.note == "A crew has been assigned."
    assert status.location is None
    assert status.updated_at == datetime(2026, 11, 10, 9, 30, tzinfo=LONDON)
    assert server.received[0].query == {"api_key": "test-key"}


def test_status_with_the_matching_postcode_shows_the_location(server):
    server.add_request("204117", zipcode="OB4 2ND")

    status = client_for(server).status("204117", postcode="ob42nd")

    assert status.location == "18 Kingfisher Way, Oakbridge"


@pytest.mark.parametrize("zipcode", ["OB5 9UB", None, "", 42])
def test_status_with_a_postcode_that_does_not_match_is_not_found(server, zipcode):
    server.add_request("204117", zipcode=zipcode)

    with pytest.raises(RequestNotFound):
        client_for(server).status("204117", postcode="OB4 2ND")


def test_status_with_an_invalid_postcode_is_not_found_without_a_call(server):
    server.add_request("204117")

    with pytest.raises(RequestNotFound):
        client_for(server).status("204117", postcode="nonsense")
    assert server.received == []


@pytest.mark.parametrize(
    ("theirs", "ours"),
    [
        ("open", "received"),
        ("closed", "closed"),
        ("CLOSED", "closed"),
        ("investigating", "in_progress"),
        ("action_scheduled", "scheduled"),
        ("fixed", "completed"),
        ("something_new", "received"),
    ],
)
def test_status_maps_open311_states_onto_ours(server, theirs, ours):
    server.add_request("204117", status=theirs)

    assert client_for(server).status("204117").status == ours


def test_status_of_a_service_code_we_do_not_map_has_category_other(server):
    server.add_request("204117", service_code="GR01")

    assert client_for(server).status("204117").category == "other"


def test_status_of_an_unknown_id_is_not_found(server):
    with pytest.raises(RequestNotFound, match="Service request not found"):
        client_for(server).status("999999")


@pytest.mark.parametrize(
    "reference", ["../services", "12/../../admin", "12%2F34", "12.json", "a b", "", "x" * 65, None]
)
def test_status_refuses_references_that_could_change_the_url(server, reference):
    with pytest.raises(RequestNotFound):
        client_for(server).status(reference)

    assert server.received == []


# -- the endpoint failing ------------------------------------------------------------


def test_an_invalid_api_key_makes_the_case_system_unavailable_and_is_logged(server, caplog):
    client = client_for(server, api_key="wrong-key")

    with caplog.at_level(logging.ERROR), pytest.raises(CaseSystemUnavailable, match="api_key"):
        client.create(pothole())
    with pytest.raises(CaseSystemUnavailable):
        client.status("204117")
    assert "Invalid api_key" in caplog.text


@pytest.mark.parametrize("code", [500, 502, 503, 302])
def test_a_server_error_makes_the_case_system_unavailable(server, code):
    server.add_request("204117")
    server.fail_with = code
    client = client_for(server)

    with pytest.raises(CaseSystemUnavailable, match=str(code)):
        client.status("204117")
    with pytest.raises(CaseSystemUnavailable):
        client.create(pothole())
    with pytest.raises(CaseSystemUnavailable):
        client.list_services()


def test_a_server_slower_than_the_timeout_makes_the_case_system_unavailable(server):
    server.add_request("204117")
    server.delay = 1.5
    client = client_for(server, timeout=0.3)

    started = time.monotonic()
    with pytest.raises(CaseSystemUnavailable, match="in time"):
        client.status("204117")
    assert time.monotonic() - started < 1.2


def test_a_closed_port_makes_the_case_system_unavailable():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = Open311CaseSystem(f"http://127.0.0.1:{port}", "key", timeout=1.0)

    with pytest.raises(CaseSystemUnavailable, match="reached"):
        client.status("204117")
    with pytest.raises(CaseSystemUnavailable):
        client.create(pothole())


@pytest.mark.parametrize(
    "body",
    [
        b"<html>Bad gateway</html>",
        b'[{"service_request_id": "204117", "status": "open"',
        b"\xff\xfe not utf-8",
        b'{"service_request_id": "204117"}',
        b'["204117"]',
        b'[{"service_request_id": "../x", "status": "open"}]',
        b'[{"service_request_id": "555", "status": "open"}]',
        b'[{"service_request_id": "204117", "updated_datetime": "2026-11-10T09:30:00Z"}]',
        b'[{"service_request_id": "204117", "status": "open", "updated_datetime": "soon"}]',
    ],
)
def test_a_malformed_answer_makes_the_case_system_unavailable(server, body):
    server.raw_body = body

    with pytest.raises(CaseSystemUnavailable):
        client_for(server).status("204117")


@pytest.mark.parametrize("body", [b"not json", b"[]", b'[{"service_notice": "thanks"}]', b"{}"])
def test_a_malformed_answer_to_a_new_request_makes_the_case_system_unavailable(server, body):
    server.raw_body = body

    with pytest.raises(CaseSystemUnavailable):
        client_for(server).create(pothole())


def test_an_oversized_answer_makes_the_case_system_unavailable(server):
    server.raw_body = json.dumps(["x" * 1000] * 1100).encode()

    with pytest.raises(CaseSystemUnavailable, match="too large"):
        client_for(server).list_services()


def test_an_error_list_sent_with_http_200_is_read_as_the_error(server):
    server.raw_body = b'[{"code": 404, "description": "No such request"}]'

    with pytest.raises(RequestNotFound, match="No such request"):
        client_for(server).status("204117")


def test_an_empty_list_for_a_request_is_not_found(server):
    server.raw_body = b"[]"

    with pytest.raises(RequestNotFound):
        client_for(server).status("204117")


# -- services --------------------------------------------------------------------------


def test_list_services_reads_the_spec_fields(server):
    services = client_for(server, jurisdiction_id="oakbridge.gov.uk").list_services()

    assert services[0] == Open311Service(
        service_code="MB01",
        service_name="Missed bin collection",
        description="A bin that was out on time but not emptied",
        metadata=False,
        type="realtime",
        keywords=("bin", "missed", "collection"),
        group="Waste",
    )
    assert services[1].metadata is True
    assert server.received[0].query == {
        "api_key": "test-key",
        "jurisdiction_id": "oakbridge.gov.uk",
    }


def test_list_services_skips_malformed_entries(server):
    server.services = [
        {"service_code": "MB01", "service_name": "Missed bin"},
        {"service_code": None, "service_name": "No code"},
        {"service_code": "X1"},
        "not an object",
        {"service_code": 7, "service_name": "Numeric code", "metadata": "true"},
    ]

    services = client_for(server).list_services()

    assert [(s.service_code, s.metadata) for s in services] == [("MB01", False), ("7", True)]


def test_list_services_that_is_not_a_list_makes_the_case_system_unavailable(server):
    server.raw_body = b'{"services": []}'

    with pytest.raises(CaseSystemUnavailable):
        client_for(server).list_services()


@pytest.mark.parametrize("url", ["", "ftp://example.org", "example.org/open311", "http://"])
def test_a_bad_base_url_is_refused(url):
    with pytest.raises(ValueError, match="http"):
        Open311CaseSystem(url, "key")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("204117", "204117"),
        (" #204117 ", "204117"),
        ("abc-12", "abc-12"),
        ("12/34", None),
        ("", None),
    ],
)
def test_a_typed_reference_is_normalised_to_an_open311_id(typed, expected):
    assert Open311CaseSystem.normalise_reference(typed) == expected
