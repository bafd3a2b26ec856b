"""Contacts validated and confirmed by one-time code before reminders start (double opt-in)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.clock import LONDON
from bot.db.notifications import NotificationConsent
from bot.db.session import session_scope
from bot.services.notification_contacts import (
    CodeCheck,
    check_code,
    issue_code,
    normalise_email,
    normalise_mobile,
    parse_contact,
)
from bot.services.notification_subscriptions import subscribe, subscriptions_for

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=LONDON)
EMAIL = "resident@example.org"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("07700 900123", "+447700900123"),
        ("07911 123456", "+447911123456"),
        ("+44 (0)7700 900123", "+447700900123"),
        ("0044 7700 900 123", "+447700900123"),
        ("01632 960000", None),  # a landline cannot take texts
        ("+33 6 12 34 56 78", None),  # not a UK mobile
        ("0770090012", None),
        ("call me", None),
        ("0" * 40, None),
    ],
)
def test_only_uk_mobiles_are_accepted_in_e164(typed: str, expected: str | None) -> None:
    assert normalise_mobile(typed) == expected


def test_emails_are_checked_and_lower_cased() -> None:
    assert normalise_email("  Resident@Example.ORG ") == "resident@example.org"
    for bad in [
        "resident@",
        "@example.org",
        "a b@example.org",
        "x@example",
        "a..b@example.org",
        "x" * 250 + "@e.org",
    ]:
        assert normalise_email(bad) is None, bad
    assert parse_contact("07700 900123").kind == "sms"
    assert parse_contact("Resident@example.org").value == EMAIL
    assert parse_contact("tomorrow") is None


def _pending(engine: Engine) -> int:
    with session_scope(engine) as session:
        return subscribe(
            session,
            contact_kind="email",
            contact=EMAIL,
            uprn="100090000001",
            channel="web",
            wording="Emails the evening before bin day.",
            now=NOW,
            confirmed=False,
        ).id


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_right_code_activates_the_subscription_and_confirms_consent(
    migrated_engine: Engine,
) -> None:
    sub = _pending(migrated_engine)
    with session_scope(migrated_engine) as session:
        assert subscriptions_for(session, EMAIL) == []  # pending: nothing is sent yet
        code = issue_code(session, sub, NOW)
        assert re.fullmatch(r"\d{6}", code)
        assert check_code(session, sub, _wrong(code), NOW) is CodeCheck.WRONG
        assert check_code(session, sub, f" {code[:3]} {code[3:]}", NOW) is CodeCheck.CONFIRMED
        assert [s.id for s in subscriptions_for(session, EMAIL)] == [sub]
        consent = session.scalars(select(NotificationConsent)).one()
        assert consent.confirmed_at is not None and consent.withdrawn_at is None


def test_three_wrong_codes_lock_the_attempt_even_for_the_right_code(
    migrated_engine: Engine,
) -> None:
    sub = _pending(migrated_engine)
    with session_scope(migrated_engine) as session:
        code = issue_code(session, sub, NOW)
        results = [check_code(session, sub, _wrong(code), NOW) for _ in range(3)]
        assert results == [CodeCheck.WRONG, CodeCheck.WRONG, CodeCheck.LOCKED]
        assert check_code(session, sub, code, NOW) is CodeCheck.LOCKED
        assert subscriptions_for(session, EMAIL) == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_old_code_expires_and_a_new_code_replaces_the_last(migrated_engine: Engine) -> None:
    sub = _pending(migrated_engine)
    with session_scope(migrated_engine) as session:
        first = issue_code(session, sub, NOW)
        assert check_code(session, sub, first, NOW + timedelta(minutes=16)) is CodeCheck.EXPIRED
        second = issue_code(session, sub, NOW + timedelta(minutes=20))
        if second != first:
            assert check_code(session, sub, first, NOW + timedelta(minutes=21)) is CodeCheck.WRONG
        assert check_code(session, sub, second, NOW + timedelta(minutes=21)) is CodeCheck.CONFIRMED
