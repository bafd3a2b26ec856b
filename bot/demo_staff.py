"""Demo staff accounts for `make run`: one advisor, one supervisor. DEMO ONLY.

The passwords are published (the `make run` banner prints them), so these accounts must
never exist on a council's real server: create real accounts with `python -m bot staff
create` instead. Running this again changes nothing (accounts are created if missing).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clock import now
from bot.db.handoff import StaffAccount
from bot.db.session import session_scope
from bot.settings import get_settings
from bot.web.auth import create_staff, normalise_username


@dataclass(frozen=True)
class DemoAccount:
    """A demo account's published sign-in details."""

    username: str
    role: str
    password: str


DEMO_ACCOUNTS = (
    DemoAccount("demo-advisor", "advisor", "demo-advisor-only"),
    DemoAccount("demo-supervisor", "supervisor", "demo-supervisor-only"),
)


def ensure_demo_staff(session: Session) -> list[str]:
    """Create the demo accounts that are missing; returns the usernames created."""
    created = []
    for account in DEMO_ACCOUNTS:
        username = normalise_username(account.username)
        exists = session.execute(
            select(StaffAccount.id).where(StaffAccount.username == username)
        ).first()
        if exists is None:
            create_staff(session, account.username, account.role, account.password, now())
            created.append(username)
    return created


def active_demo_usernames(session: Session) -> list[str]:
    """The demo accounts that can still sign in (production refuses to start with any)."""
    usernames = [normalise_username(account.username) for account in DEMO_ACCOUNTS]
    rows = session.execute(
        select(StaffAccount.username).where(
            StaffAccount.username.in_(usernames), StaffAccount.active.is_(True)
        )
    )
    return sorted(row.username for row in rows)


def disable_demo_staff(session: Session) -> list[str]:
    """Stop the demo accounts signing in (kept, not deleted, so the audit trail stays)."""
    disabled = active_demo_usernames(session)
    for account in session.scalars(select(StaffAccount).where(StaffAccount.username.in_(disabled))):
        account.active = False
    return disabled


def main() -> None:
    """`python -m bot.demo_staff`: add the demo accounts to the configured database."""
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    if get_settings().is_production:
        raise SystemExit(
            "Not adding the demo staff accounts: APP_ENV is production and their passwords "
            "are published. Create real accounts with `python -m bot staff create`."
        )
    with session_scope() as session:
        created = ensure_demo_staff(session)
    print(f"Demo staff accounts: {', '.join(created) or 'already there'} (demo only)")


if __name__ == "__main__":
    main()
