"""Choosing the case system by settings."""

from __future__ import annotations

import pytest
from open311_server import Open311TestServer

from bot.services.case_system import NewRequest
from bot.services.case_system_factory import get_case_system, parse_service_codes, read_reference
from bot.services.open311 import Open311CaseSystem
from bot.settings import Settings


def test_open311_settings_give_a_working_open311_client():
    with Open311TestServer() as server:
        settings = Settings(
            case_system="open311",
            open311_url=server.url,
            open311_api_key=server.api_key,
            open311_jurisdiction="oakbridge.gov.uk",
            open311_service_codes="pothole=PH01, missed_bin=MB01",
            open311_timeout=2.0,
        )

        case_system = get_case_system(settings)
        created = case_system.create(
            NewRequest(category="pothole", description="Deep hole", location="1 High Street")
        )

    assert isinstance(case_system, Open311CaseSystem)
    assert created.reference == "204117"
    assert server.received[0].form["service_code"] == "PH01"
    assert server.received[0].form["jurisdiction_id"] == "oakbridge.gov.uk"


def test_the_case_system_name_is_read_without_regard_to_case_or_spaces():
    settings = Settings(case_system=" Open311 ", open311_url="http://127.0.0.1:9/open311")

    assert isinstance(get_case_system(settings), Open311CaseSystem)


def test_local_settings_give_the_local_case_system(tmp_path):
    local_cases = pytest.importorskip("bot.services.local_cases")
    settings = Settings(case_system="local", database_url=f"sqlite:///{tmp_path / 'c.db'}")

    assert isinstance(get_case_system(settings), local_cases.LocalCaseSystem)


def test_open311_without_a_url_is_refused_with_what_to_set():
    with pytest.raises(ValueError, match="OPEN311_URL"):
        get_case_system(Settings(case_system="open311", open311_url=""))


@pytest.mark.parametrize("name", ["", "salesforce", "open 311"])
def test_an_unknown_case_system_is_refused_with_the_choices(name):
    with pytest.raises(ValueError, match="local, open311"):
        get_case_system(Settings(case_system=name))


def test_service_codes_are_read_from_category_equals_code_pairs():
    assert parse_service_codes(" missed_bin=MB01 ,pothole = PH01,") == {
        "missed_bin": "MB01",
        "pothole": "PH01",
    }
    assert parse_service_codes("") == {}


@pytest.mark.parametrize("text", ["missed_bin", "=MB01", "missed_bin=", "Missed Bin=MB01"])
def test_malformed_service_codes_are_refused(text):
    with pytest.raises(ValueError, match="OPEN311_SERVICE_CODES"):
        parse_service_codes(text)


def test_references_are_read_in_the_configured_case_systems_form():
    local, open311 = Settings(case_system="local"), Settings(case_system="open311")
    assert read_reference("mb 204117", local) == "MB-204117"
    assert read_reference("638344", local) is None
    assert read_reference(" #638344 ", open311) == "638344"
    assert read_reference("Req-77a", open311) == "Req-77a"  # case kept: ids may be case-sensitive
    assert read_reference("'; drop table x", open311) is None
