"""The insight report as JSON or CSV text, for `python -m bot report`."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

SECTIONS = (
    ("by_day", "day", "period"),
    ("by_week", "week", "period"),
    ("by_channel", "channel", "channel"),
    ("by_topic", "topic", "topic"),
)


def report_json(report: dict[str, Any]) -> str:
    """The report as indented JSON."""
    return json.dumps(report, indent=2, default=str)


def report_csv(report: dict[str, Any]) -> str:
    """The report in long form: one row per section, name, measure and value."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "name", "measure", "value"])
    for measure, value in report["totals"].items():
        writer.writerow(["total", f"{report['since']}..{report['until']}", measure, _cell(value)])
    for key, section, name_field in SECTIONS:
        for row in report[key]:
            for measure, value in row.items():
                if measure != name_field:
                    writer.writerow([section, row[name_field], measure, _cell(value)])
    for reason in report["handoff_reasons"]:
        writer.writerow(["handoff_reason", reason["reason"], "count", reason["count"]])
    for theme in report.get("unanswered_themes", []):
        writer.writerow(["unanswered_theme", theme["label"], "questions", theme["size"]])
    return out.getvalue()


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    # A cell starting with = + - @ is run as a formula by spreadsheets.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
