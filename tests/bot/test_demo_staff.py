"""`make run`'s demo staff accounts: created once, able to sign in, printed by the banner."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.clock import now
from bot.db.handoff import StaffAccount
from bot.db.session import session_scope
from bot.demo_staff import DEMO_ACCOUNTS, ensure_demo_staff
from bot.run_banner import lines
from bot.web.auth import sign_in


def test_demo_advisor_and_supervisor_are_created_once_and_can_sign_in(migrated_engine):
    with session_scope(migrated_engine) as session:
        assert ensure_demo_staff(session) == ["demo-advisor", "demo-supervisor"]
    with session_scope(migrated_engine) as session:
        assert ensure_demo_staff(session) == []
        assert session.execute(select(func.count(StaffAccount.id))).scalar_one() == 2
        roles = dict(session.execute(select(StaffAccount.username, StaffAccount.role)).all())
        assert roles == {"demo-advisor": "advisor", "demo-supervisor": "supervisor"}
        for account in DEMO_ACCOUNTS:
            result = sign_in(session, account.username, account.password, "127.0.0.1", now())
            assert result.status == "ok"


def test_the_banner_prints_the_staff_queue_and_the_demo_only_accounts():
    banner = "\n".join(lines(5005))
    assert "http://127.0.0.1:5005/staff/queue" in banner
    assert "DEMO ONLY" in banner
    for account in DEMO_ACCOUNTS:
        assert f"{account.username} / {account.password}" in banner
