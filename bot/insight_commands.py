"""Insight commands: `python -m bot report --since 2026-11-01 [--until D] [--format json|csv]`.

Figures come from the tracker store (TRACKER_DATABASE_URL) and the project database
(DATABASE_URL); costs per contact from the settings.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date

from bot.clock import today
from bot.db.session import get_engine
from bot.services.insight.measures import Costs
from bot.services.insight.overview import insight_overview
from bot.services.insight.report_formats import report_csv, report_json
from bot.settings import get_settings

MAX_DAYS = 366


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `report` command to the `python -m bot` parser."""
    report = subparsers.add_parser("report", help="insight figures for a period, as JSON or CSV")
    report.add_argument("--since", required=True, type=date.fromisoformat, help="YYYY-MM-DD")
    report.add_argument("--until", type=date.fromisoformat, help="YYYY-MM-DD (default today)")
    report.add_argument("--format", choices=("json", "csv"), default="json")
    report.set_defaults(handler=_report)


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
