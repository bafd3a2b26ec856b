"""Staff account commands: `python -m bot staff create --username U --role advisor|supervisor`.

The password is read from standard input with --password-stdin (one line), or asked for
twice without echo. It is stored only as an argon2 hash.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from bot.clock import now
from bot.db.handoff import ROLES
from bot.db.session import get_engine, session_scope
from bot.demo_staff import disable_demo_staff
from bot.settings import get_settings
from bot.web.auth import MIN_PASSWORD_LENGTH, StaffAccountError, create_staff


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `staff` commands to the `python -m bot` parser."""
    staff = subparsers.add_parser("staff", help="manage staff accounts for the handoff queue")
    actions = staff.add_subparsers(dest="staff_command", metavar="ACTION", required=True)
    create = actions.add_parser("create", help="create a staff account")
    create.add_argument("--username", required=True, help="2-64 letters, digits, . _ or -")
    create.add_argument("--role", required=True, choices=ROLES)
    create.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    create.set_defaults(handler=_create)
    remove_demo = actions.add_parser(
        "remove-demo", help="stop the demo accounts (published passwords) signing in"
    )
    remove_demo.set_defaults(handler=_remove_demo)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(f"Password (at least {MIN_PASSWORD_LENGTH} characters): ")
    if getpass.getpass("Password again: ") != first:
        raise StaffAccountError("the passwords do not match")
    return first


def _create(args: argparse.Namespace) -> int:
    try:
        password = _read_password(args.password_stdin)
        with session_scope(get_engine(get_settings().database_url)) as session:
            staff = create_staff(session, args.username, args.role, password, now())
            username, role = staff.username, staff.role
    except StaffAccountError as error:
        print(f"No account was created: {error}.", file=sys.stderr)
        return 1
    print(f"Created {role} account {username}.")
    return 0


def _remove_demo(_args: argparse.Namespace) -> int:
    with session_scope(get_engine(get_settings().database_url)) as session:
        disabled = disable_demo_staff(session)
    print(
        f"Demo accounts disabled: {', '.join(disabled)}."
        if disabled
        else "No demo account can sign in."
    )
    return 0
