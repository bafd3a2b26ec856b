"""Contacts for reminders: UK mobiles (E.164) and email addresses, and their one-time codes.

On the web a subscription stays pending until the resident types the code sent
to the contact (double opt-in). Three wrong codes lock that attempt: a new
sign-up is needed. Codes are stored only as keyed hashes.
"""

from __future__ import annotations

import enum
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import phonenumbers
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.clock import LONDON
from bot.db.notifications import (
    CONTACT_EMAIL,
    CONTACT_SMS,
    NotificationCode,
    NotificationSubscription,
)
from bot.privacy import hash_identifier
from bot.services.notification_subscriptions import activate

MAX_CODE_ATTEMPTS = 3
CODE_LIFETIME = timedelta(minutes=15)
MAX_CONTACT_LENGTH = 254
# Ofcom's range for drama (07700 900000-900999): the demo and tests use it; libphonenumber
# calls it invalid because no network will ever route it.
_DRAMA_FIRST, _DRAMA_LAST = 7700900000, 7700900999
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


@dataclass(frozen=True)
class Contact:
    """A validated contact: `kind` is "sms" or "email"; `value` is E.164 or lower-cased email."""

    kind: str
    value: str


def normalise_mobile(text: str) -> str | None:
    """'07700 900123' or '+44 7700 900123' -> '+447700900123'; None unless a valid UK mobile."""
    if not isinstance(text, str) or len(text) > 32:
        return None
    try:
        number = phonenumbers.parse(text.strip(), "GB")
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != 44 or not phonenumbers.is_possible_number(number):
        return None
    drama = _DRAMA_FIRST <= (number.national_number or 0) <= _DRAMA_LAST
    mobile = phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE
    if not (drama or (mobile and phonenumbers.is_valid_number(number))):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(text: str) -> str | None:
    """A plausible email address, trimmed and lower-cased; None otherwise."""
    if not isinstance(text, str):
        return None
    value = text.strip().lower()
    if len(value) > MAX_CONTACT_LENGTH or not _EMAIL.match(value):
        return None
    local, _, domain = value.partition("@")
    if len(local) > 64 or ".." in value or domain.startswith("-"):
        return None
    return value


def parse_contact(text: str) -> Contact | None:
    """A mobile number or an email address from what the resident typed; None if neither."""
    if not isinstance(text, str) or len(text) > MAX_CONTACT_LENGTH:
        return None
    if "@" in text:
        email = normalise_email(text)
        return Contact(CONTACT_EMAIL, email) if email else None
    mobile = normalise_mobile(text)
    return Contact(CONTACT_SMS, mobile) if mobile else None


class CodeCheck(enum.Enum):
    """The outcome of typing a one-time code."""

    CONFIRMED = "confirmed"
    WRONG = "wrong"
    LOCKED = "locked"
    EXPIRED = "expired"
    NO_CODE = "no_code"


def _code_hash(subscription_id: int, code: str) -> str:
    return hash_identifier(f"notification-code:{subscription_id}:{code}")


def codes_sent_today(session: Session, contact_hash: str, now: datetime) -> int:
    """How many one-time codes went to this contact since midnight (London): a stranger
    typing someone's number again and again must not flood their phone."""
    since = datetime.combine(now.astimezone(LONDON).date(), time(0, 0), tzinfo=LONDON)
    return (
        session.scalar(
            select(func.count())
            .select_from(NotificationCode)
            .join(
                NotificationSubscription,
                NotificationSubscription.id == NotificationCode.subscription_id,
            )
            .where(NotificationSubscription.contact_hash == contact_hash)
            .where(NotificationCode.created_at >= since)
        )
        or 0
    )


def issue_code(session: Session, subscription_id: int, now: datetime) -> str:
    """A new 6-digit code for the pending subscription (earlier unused codes stop working)."""
    session.execute(
        update(NotificationCode)
        .where(NotificationCode.subscription_id == subscription_id)
        .where(NotificationCode.used_at.is_(None))
        .where(NotificationCode.locked_at.is_(None))
        .values(expires_at=now)
    )
    code = f"{secrets.randbelow(1_000_000):06d}"
    session.add(NotificationCode(
        subscription_id=subscription_id, code_hash=_code_hash(subscription_id, code),
        attempts=0, created_at=now, expires_at=now + CODE_LIFETIME,
    ))  # fmt: skip
    session.flush()
    return code


def check_code(session: Session, subscription_id: int, typed: str, now: datetime) -> CodeCheck:
    """Check a typed code; the right one activates the subscription, a third wrong one locks."""
    row = session.scalars(
        select(NotificationCode)
        .where(NotificationCode.subscription_id == subscription_id)
        .where(NotificationCode.used_at.is_(None))
        .order_by(NotificationCode.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return CodeCheck.NO_CODE
    if row.locked_at is not None:
        return CodeCheck.LOCKED
    if row.expires_at <= now:
        return CodeCheck.EXPIRED
    digits = re.sub(r"\s", "", str(typed or ""))[:12]
    if secrets.compare_digest(row.code_hash, _code_hash(subscription_id, digits)):
        row.used_at = now
        activate(session, subscription_id, now)
        session.flush()
        return CodeCheck.CONFIRMED
    # One UPDATE per wrong try, so two tries at once still both count.
    session.execute(
        update(NotificationCode)
        .where(NotificationCode.id == row.id)
        .values(attempts=NotificationCode.attempts + 1)
    )
    session.refresh(row)
    if row.attempts >= MAX_CODE_ATTEMPTS:
        row.locked_at = now
        session.flush()
        return CodeCheck.LOCKED
    return CodeCheck.WRONG
