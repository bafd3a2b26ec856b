"""Growing waits after failed staff sign-ins: per account, per client address, per known device.

Failures are rows of `staff_sign_in_attempts` in the staff app's database, so every server
sees the same counts. A few failures are free; after that each one doubles the wait before
the next try, up to a cap. Attempts refused because of a wait are not recorded: they neither
count as failures nor make the wait longer, so an attacker cannot keep extending a block.
A success resets the count for its account, address and device.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.handoff import SignInAttempt

# Failures older than this are forgotten (and deleted with the attempt log).
FORGET_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class Limit:
    """Free failures, then waits from `first_wait` doubling up to `longest_wait`."""

    free_failures: int
    first_wait: timedelta
    longest_wait: timedelta

    def wait_after(self, failures: int) -> timedelta:
        """How long to wait after the last of `failures` failures (zero while free)."""
        if failures < self.free_failures:
            return timedelta(0)
        doublings = min(failures - self.free_failures, 20)
        return min(self.first_wait * (2**doublings), self.longest_wait)


PER_ACCOUNT = Limit(5, timedelta(seconds=30), timedelta(minutes=15))
# Offices share an address: more free failures there.
PER_ADDRESS = Limit(20, timedelta(seconds=30), timedelta(minutes=15))
PER_DEVICE = Limit(5, timedelta(seconds=30), timedelta(minutes=15))


def account_blocked_until(session: Session, username: str, now: datetime) -> datetime | None:
    """When the account may next try (None: now)."""
    return _blocked_until(session, SignInAttempt.username, username, PER_ACCOUNT, now)


def address_blocked_until(session: Session, address: str, now: datetime) -> datetime | None:
    """When the client address may next try (None: now)."""
    return _blocked_until(session, SignInAttempt.ip, address, PER_ADDRESS, now)


def device_blocked_until(session: Session, device: str, now: datetime) -> datetime | None:
    """When the known device (its id's hash) may next try with its own allowance (None: now)."""
    return _blocked_until(session, SignInAttempt.device, device, PER_DEVICE, now)


def _blocked_until(session, column, value: str, limit: Limit, now: datetime) -> datetime | None:  # type: ignore[no-untyped-def]
    # "Since the last success" by row id: a failure in the same instant still counts.
    last_success = session.execute(
        select(func.max(SignInAttempt.id)).where(column == value, SignInAttempt.succeeded.is_(True))
    ).scalar_one()
    failures, last_failure = session.execute(
        select(func.count(SignInAttempt.id), func.max(SignInAttempt.at)).where(
            column == value,
            SignInAttempt.succeeded.is_(False),
            SignInAttempt.id > (last_success or 0),
            SignInAttempt.at > now - FORGET_AFTER,
        )
    ).one()
    wait = limit.wait_after(int(failures))
    if not wait or last_failure is None:
        return None
    until: datetime = last_failure + wait
    return until if until > now else None
