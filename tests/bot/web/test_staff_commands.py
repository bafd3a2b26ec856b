"""`python -m bot staff create`: accounts made from the command line, as an operator would."""

import os
import subprocess
import sys

import pytest
from sqlalchemy import select

from bot.db.handoff import StaffAccount
from bot.db.session import session_scope
from bot.settings import PROJECT_ROOT


def run(database_url: str, args: list[str], stdin: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "bot", "staff", "create", *args],
        input=stdin, capture_output=True, text=True, cwd=PROJECT_ROOT, env=env, timeout=60,
        check=False,
    )  # fmt: skip


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_staff_create_stores_an_argon2_hash_never_the_password(database_url, migrated_engine):
    result = run(
        database_url, ["--username", "Sue", "--role", "supervisor", "--password-stdin"],
        "a long enough password\n",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Created supervisor account sue." in result.stdout
    with session_scope(migrated_engine) as session:
        staff = session.execute(select(StaffAccount)).scalar_one()
        assert (staff.username, staff.role) == ("sue", "supervisor")
        assert staff.password_hash.startswith("$argon2id$")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_staff_create_refuses_a_short_password_and_creates_nothing(database_url, migrated_engine):
    result = run(
        database_url, ["--username", "ann", "--role", "advisor", "--password-stdin"], "short\n"
    )
    assert result.returncode == 1
    assert "No account was created" in result.stderr
    with session_scope(migrated_engine) as session:
        assert session.execute(select(StaffAccount)).first() is None
