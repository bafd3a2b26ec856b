"""The signed "known device" cookie: proof that this browser signed in to an account before.

Set at every successful sign-in, one cookie per account (`staff_device_<username>`). While an
account or address is throttled, a correct password from a browser holding a valid cookie
for that account still gets in, so attackers guessing passwords cannot lock staff out.
The cookie holds a random device id, an expiry and an HMAC over both and the username (key
derived from IDENTIFIER_HASH_SECRET for this one purpose); the database keeps the id's hash
(`staff_known_devices`), so a device counts only if it really signed in to that account,
even where the secret was left at its published default.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.db.handoff import KnownDevice, StaffAccount

COOKIE_PREFIX = "staff_device_"
LIFETIME = timedelta(days=90)
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
_DEVICE_ID = re.compile(r"^[A-Za-z0-9_-]{16,43}$")


def cookie_name(username: str) -> str | None:
    """The cookie's name for an account (None for a name no account can have)."""
    return COOKIE_PREFIX + username if _USERNAME.match(username or "") else None


def new_device_id() -> str:
    """A fresh random device id."""
    return secrets.token_urlsafe(16)


def cookie_value(secret: str, username: str, device_id: str, now: datetime) -> str:
    """The signed value: device id, expiry (Unix seconds) and signature, dot-separated."""
    expires = int((now + LIFETIME).timestamp())
    return f"{device_id}.{expires}.{_signature(secret, username, device_id, expires)}"


def verified_device(secret: str, username: str, value: str | None, now: datetime) -> str | None:
    """The device id in a cookie value when its signature is good for this account and it
    has not expired; None otherwise."""
    parts = (value or "").split(".")
    if len(parts) != 3 or not _DEVICE_ID.match(parts[0]) or not parts[1].isdigit():
        return None
    device_id, expires = parts[0], int(parts[1])
    if expires <= now.timestamp():
        return None
    expected = _signature(secret, username, device_id, expires)
    return device_id if hmac.compare_digest(expected, parts[2]) else None


def _signature(secret: str, username: str, device_id: str, expires: int) -> str:
    key = hmac.new(secret.encode(), b"staff known-device cookie", hashlib.sha256).digest()
    message = f"{username}|{device_id}|{expires}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def device_hash(device_id: str) -> str:
    """What the database keeps of a device id (and logs of attempts name it by)."""
    return hashlib.sha256(device_id.encode()).hexdigest()


def is_known(session: Session, username: str, device_id: str, now: datetime) -> bool:
    """Whether this device signed in to this account within the cookie's lifetime."""
    found = session.execute(
        select(KnownDevice.id)
        .join(StaffAccount, StaffAccount.id == KnownDevice.staff_id)
        .where(
            KnownDevice.device_hash == device_hash(device_id),
            StaffAccount.username == username,
            KnownDevice.last_signed_in_at > now - LIFETIME,
        )
    ).first()
    return found is not None


def remember(session: Session, staff_id: int, device_id: str | None, now: datetime) -> str:
    """Record a successful sign-in from this device (a new one when `device_id` is None or
    not this account's); returns the device id for the cookie."""
    session.execute(delete(KnownDevice).where(KnownDevice.last_signed_in_at <= now - LIFETIME))
    if device_id:
        found = session.execute(
            select(KnownDevice).where(
                KnownDevice.device_hash == device_hash(device_id),
                KnownDevice.staff_id == staff_id,
            )
        ).scalar_one_or_none()
        if found is not None:
            found.last_signed_in_at = now
            return device_id
    device_id = new_device_id()
    session.add(
        KnownDevice(
            device_hash=device_hash(device_id),
            staff_id=staff_id,
            created_at=now,
            last_signed_in_at=now,
        )
    )
    return device_id
