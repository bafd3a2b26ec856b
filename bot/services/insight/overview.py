"""Everything the dashboard and `python -m bot report` show, gathered in one call."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from sqlalchemy.engine import Engine

from bot.services.insight.measures import Costs, build_report, conversations_between
from bot.services.insight.themes import (
    MAX_THEMED,
    Theme,
    group_into_themes,
    unanswered_questions,
)


def unanswered_themes(tracker: Engine, first: date, last: date, limit: int = 10) -> list[Theme]:
    """Top themes among the redacted unanswered questions of days first..last."""
    return group_into_themes(
        unanswered_questions(conversations_between(tracker, first, last), newest=MAX_THEMED),
        limit=limit,
    )


def insight_overview(
    tracker: Engine, project: Engine, first: date, last: date, costs: Costs = Costs()
) -> dict[str, Any]:
    """The measures report plus the unanswered themes, as JSON-ready plain values."""
    conversations = conversations_between(tracker, first, last)  # read once for both
    report = build_report(tracker, project, first, last, costs, conversations)
    report["unanswered_themes"] = [
        {"label": t.label, "size": t.size, "questions": [asdict(q) for q in t.questions]}
        for t in group_into_themes(unanswered_questions(conversations, newest=MAX_THEMED))
    ]
    return report
