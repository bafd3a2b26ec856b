"""Database commands: `db upgrade`, `db downgrade-base`, `load-data [DIR]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.db import migrate
from bot.db.session import get_engine, session_scope
from bot.services.data_loader import load_council_data
from bot.services.data_rows import DataFileError
from bot.settings import PROJECT_ROOT, get_settings

DEFAULT_DATA_DIR = PROJECT_ROOT / "content" / "demo-council"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the database commands to the `python -m bot` parser."""
    db = subparsers.add_parser("db", help="create, upgrade or remove the database schema")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_commands.add_parser(
        "upgrade", help="apply every migration (alembic upgrade heads)"
    ).set_defaults(handler=_upgrade)
    db_commands.add_parser(
        "downgrade-base", help="remove every table the migrations made"
    ).set_defaults(handler=_downgrade_base)
    load = subparsers.add_parser("load-data", help="import a council's data files (CSV)")
    load.add_argument(
        "directory",
        nargs="?",
        type=Path,
        default=DEFAULT_DATA_DIR,
        help=f"folder of CSV files (default {DEFAULT_DATA_DIR})",
    )
    load.set_defaults(handler=_load_data)


def _upgrade(_args: argparse.Namespace) -> int:
    migrate.upgrade(get_settings().database_url)
    print("Database schema is up to date.")
    return 0


def _downgrade_base(_args: argparse.Namespace) -> int:
    migrate.downgrade_base(get_settings().database_url)
    print("Every table made by the migrations has been removed.")
    return 0


def _load_data(args: argparse.Namespace) -> int:
    url = get_settings().database_url
    try:
        with session_scope(get_engine(url)) as session:
            report = load_council_data(session, args.directory)
    except DataFileError as error:
        print(f"Nothing was imported.\n{error}", file=sys.stderr)
        return 1
    print(report.summary())
    return 0
