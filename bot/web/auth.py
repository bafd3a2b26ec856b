"""Staff accounts, sign-in (throttled), sessions and CSRF tokens.

Passwords are hashed with argon2. A session cookie holds a random token; the database
keeps only its SHA-256, with the session's CSRF token and expiry, so any server can
check it and signing out ends it everywhere.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.db.handoff import ROLES, SignInAttempt, StaffAccount, StaffSession
from bot.web import known_device
from bot.web import sign_in_throttle as throttle

SESSION_LIFETIME = timedelta(hours=8)
ATTEMPTS_KEPT = throttle.FORGET_AFTER
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")

_hasher = PasswordHasher()
# Verified against when the account does not exist, so timing does not reveal usernames.
_DUMMY_HASH = _hasher.hash("not a real password, never matches")


class StaffAccountError(ValueError):
    """A username, role or password that cannot be used."""


@dataclass(frozen=True)
class SignInResult:
    """The outcome of a sign-in: 'ok' (with tokens and the known-device id for the cookie),
    'refused' or 'rate_limited' (with the time the next try is allowed)."""

    status: str
    token: str = ""
    csrf_token: str = ""
    staff_id: int | None = None
    device: str = ""
    retry_at: datetime | None = None


def normalise_username(username: str) -> str:
    """Usernames are case-insensitive: stored and compared in lower case."""
    return (username or "").strip().lower()[:64]


def create_staff(
    session: Session, username: str, role: str, password: str, now: datetime
) -> StaffAccount:
    """Add a staff account; raises StaffAccountError for a bad or taken name, role or password."""
    name = normalise_username(username)
    if not USERNAME_PATTERN.match(name):
        raise StaffAccountError("usernames are 2-64 letters, digits, dots, dashes or underscores")
    if role not in ROLES:
        raise StaffAccountError(f"role must be one of {', '.join(ROLES)}")
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise StaffAccountError(f"passwords must be at least {MIN_PASSWORD_LENGTH} characters")
    if session.execute(select(StaffAccount.id).where(StaffAccount.username == name)).first():
        raise StaffAccountError(f"there is already an account called {name}")
    staff = StaffAccount(
        username=name, role=role, password_hash=_hasher.hash(password), active=True, created_at=now
    )
    session.add(staff)
    session.flush()
    return staff


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sign_in(
    session: Session,
    username: str,
    password: str,
    ip: str,
    now: datetime,
    device: str | None = None,
) -> SignInResult:
    """Check a password and open a session.

    `ip` is the client's real address; `device` the id from this account's known-device
    cookie (signature checked), if the browser sent one. Failures are recorded for
    throttling (sign_in_throttle); attempts refused by the throttle are not. A device that
    signed in to this account before, and is not itself throttled, skips the account and
    address throttles. On success the result names the device id for the browser's cookie.
    """
    name = normalise_username(username)
    ip = (ip or "unknown")[:64]
    # Old attempts and expired sessions are of no further use: keep the tables small.
    session.execute(delete(SignInAttempt).where(SignInAttempt.at < now - ATTEMPTS_KEPT))
    session.execute(delete(StaffSession).where(StaffSession.expires_at <= now))
    known = (
        device is not None
        and known_device.is_known(session, name, device, now)
        and throttle.device_blocked_until(session, known_device.device_hash(device), now) is None
    )
    if not known:
        waits = [
            throttle.account_blocked_until(session, name, now),
            throttle.address_blocked_until(session, ip, now),
        ]
        until = max((wait for wait in waits if wait is not None), default=None)
        if until is not None:
            return SignInResult("rate_limited", retry_at=until)
    staff = session.execute(
        select(StaffAccount).where(StaffAccount.username == name)
    ).scalar_one_or_none()
    password = (password or "")[:MAX_PASSWORD_LENGTH]
    try:
        _hasher.verify(staff.password_hash if staff else _DUMMY_HASH, password)
        valid = staff is not None and staff.active
    except (VerificationError, InvalidHashError):
        valid = False
    device_key = known_device.device_hash(device) if known and device else None
    session.add(SignInAttempt(username=name, ip=ip, at=now, succeeded=valid, device=device_key))
    if not valid or staff is None:
        return SignInResult("refused")
    if _hasher.check_needs_rehash(staff.password_hash):
        staff.password_hash = _hasher.hash(password)
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.add(
        StaffSession(
            token_hash=_token_hash(token),
            staff_id=staff.id,
            csrf_token=csrf,
            created_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
    )
    remembered = known_device.remember(session, staff.id, device, now)
    session.flush()
    return SignInResult("ok", token=token, csrf_token=csrf, staff_id=staff.id, device=remembered)


def session_for_token(session: Session, token: str | None, now: datetime) -> StaffSession | None:
    """The live session for a cookie's token (unexpired, account active), or None."""
    if not token or len(token) > 128:
        return None
    found = session.execute(
        select(StaffSession).where(StaffSession.token_hash == _token_hash(token))
    ).scalar_one_or_none()
    if found is None or found.expires_at <= now or not found.staff.active:
        return None
    return found


def sign_out(session: Session, token: str | None) -> None:
    """End the session for this token (if any)."""
    if token:
        session.execute(delete(StaffSession).where(StaffSession.token_hash == _token_hash(token)))


def tokens_match(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison of CSRF tokens; False when either is missing."""
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))


def new_token() -> str:
    """A fresh random token (for the pre-sign-in CSRF cookie)."""
    return secrets.token_urlsafe(32)
