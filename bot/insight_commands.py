"""Insight commands: `python -m bot report --since 2026-11-01 [--until D] [--format json|csv]`,
`python -m bot privacy retain [--days N]`, `privacy access|erase --phone P | --email E |
--conversation ID` (erase needs --yes).

Figures come from the tracker store (TRACKER_DATABASE_URL) and the project database
(DATABASE_URL); costs per contact from the settings.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date

from sqlalchemy.engine import Engine

from bot.clock import now, today
from bot.db.session import get_engine
from bot.services.insight.erasure import (
    ResidentKeys,
    ResidentNotIdentified,
    erase,
    resident_keys,
    subject_access,
)
from bot.services.insight.measures import Costs
from bot.services.insight.overview import insight_overview
from bot.services.insight.report_formats import report_csv, report_json
from bot.services.insight.retention import apply_retention
from bot.settings import get_settings

MAX_DAYS = 366


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `report` command to the `python -m bot` parser."""
    report = subparsers.add_parser("report", help="insight figures for a period, as JSON or CSV")
    report.add_argument("--since", required=True, type=date.fromisoformat, help="YYYY-MM-DD")
    report.add_argument("--until", type=date.fromisoformat, help="YYYY-MM-DD (default today)")
    report.add_argument("--format", choices=("json", "csv"), default="json")
    report.set_defaults(handler=_report)
    register_privacy(subparsers)


def _report(args: argparse.Namespace) -> int:
    last = args.until or today()
    if args.since > last or (last - args.since).days >= MAX_DAYS:
        print("Choose a period of 1 to 366 days, --since on or before --until.", file=sys.stderr)
        return 2
    settings = get_settings()
    overview = insight_overview(
        get_engine(settings.tracker_database_url),
        get_engine(settings.database_url),
        args.since,
        last,
        Costs(settings.insight_cost_per_call, settings.insight_cost_per_web_visit),
    )
    sys.stdout.write(report_csv(overview) if args.format == "csv" else report_json(overview) + "\n")
    return 0


def register_privacy(subparsers: argparse._SubParsersAction) -> None:
    """Add the `privacy` commands: retention, subject access and erasure."""
    privacy = subparsers.add_parser("privacy", help="retention, subject access and erasure")
    actions = privacy.add_subparsers(dest="privacy_command", metavar="ACTION", required=True)
    retain = actions.add_parser("retain", help="remove conversation text past the retention period")
    retain.add_argument("--days", type=int, help="default: CONVERSATION_RETENTION_DAYS (90)")
    retain.set_defaults(handler=_retain)
    for name, handler, summary in (
        ("access", _access, "print one resident's data as JSON (subject access)"),
        ("erase", _erase, "remove one resident's data (counts stay)"),
    ):
        command = actions.add_parser(name, help=summary)
        command.add_argument("--phone", help="a phone number, however it is written")
        command.add_argument("--email", help="an email address")
        command.add_argument("--conversation", help="a conversation id")
        if name == "erase":
            command.add_argument("--yes", action="store_true", help="confirm the erasure")
        command.set_defaults(handler=handler)


def _engines() -> tuple[Engine, Engine]:
    settings = get_settings()
    return get_engine(settings.tracker_database_url), get_engine(settings.database_url)


def _retain(args: argparse.Namespace) -> int:
    days = args.days if args.days is not None else get_settings().conversation_retention_days
    if days < 1:
        print("The retention period must be at least one day.", file=sys.stderr)
        return 2
    result = apply_retention(*_engines(), now(), days)
    print(
        f"Removed the text of {result.conversations} conversations older than {days} days "
        f"({result.events_deleted} events, {result.ticket_messages_blanked} handoff messages); "
        "their counts are kept."
    )
    return 0


def _keys(args: argparse.Namespace) -> ResidentKeys | None:
    try:
        return resident_keys(args.phone, args.email, args.conversation)
    except ResidentNotIdentified as error:
        print(f"Nothing was looked up: {error}.", file=sys.stderr)
        return None


def _access(args: argparse.Namespace) -> int:
    keys = _keys(args)
    if keys is None:
        return 2
    sys.stdout.write(json.dumps(subject_access(*_engines(), keys), indent=2) + "\n")
    return 0


def _erase(args: argparse.Namespace) -> int:
    keys = _keys(args)
    if keys is None:
        return 2
    if not args.yes:
        print("Nothing was erased: add --yes to confirm.", file=sys.stderr)
        return 2
    removed = erase(*_engines(), keys)
    print(json.dumps(removed))
    return 0
