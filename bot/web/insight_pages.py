"""The insight dashboard (supervisors only): contained rate, topics, handoff reasons and
unanswered themes, as SVG charts with tables, plus CSV and NLU YAML downloads.

    /staff/insight?since=2026-11-01&until=2026-11-30
    /staff/insight/unanswered.csv   /staff/insight/unanswered.yml   (same query)
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date, timedelta
from typing import Any

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, html, text
from sqlalchemy.engine import Engine

from bot.db.session import get_engine
from bot.services.insight.conversation_cache import warm_up
from bot.services.insight.measures import Costs
from bot.services.insight.overview import insight_overview, unanswered_themes
from bot.services.insight.themes import themes_csv, themes_nlu_yaml
from bot.web import charts
from bot.web.state import StaffApp, signed_in_staff

DEFAULT_DAYS = 28
MAX_DAYS = 366


class PeriodError(ValueError):
    """The dates asked for cannot be read or make no sense."""


logger = logging.getLogger(__name__)


def period_from(query: dict[str, Any], today: date) -> tuple[date, date]:
    """(first, last) London days from `since`/`until` (ISO dates); the last 28 days by default."""
    try:
        last = date.fromisoformat(str(query.get("until") or today.isoformat())[:10])
        first_text = query.get("since")
        first = (
            date.fromisoformat(str(first_text)[:10])
            if first_text
            else last - timedelta(days=DEFAULT_DAYS - 1)
        )
    except ValueError as refused:
        raise PeriodError("Enter dates as YYYY-MM-DD, for example 2026-11-01.") from refused
    if first > last:
        raise PeriodError("The start date must be on or before the end date.")
    if (last - first).days >= MAX_DAYS:
        raise PeriodError("Choose a period of at most 366 days.")
    return first, last


def _chart_values(report: dict[str, Any], label: Any = None) -> dict[str, Any]:
    """The charts' values; `label` is the templates' filters, for staff wording."""
    label = label or {}
    topic_label = label.get("topic_label", lambda code: code.replace("_", " "))
    reason_label = label.get("reason_label", str)
    topics = [t for t in report["by_topic"] if t["topic_messages"]][:10]
    return {
        "contained_chart": charts.rate_columns(
            "contained",
            "Contained rate by day",
            [(d["period"], d["contained_rate"]) for d in report["by_day"]],
        ),
        "topics": topics,
        "topics_chart": charts.horizontal_bars(
            "topics",
            "Topics by number of questions",
            [(topic_label(t["topic"]), t["topic_messages"]) for t in topics],
        ),
        "reasons_chart": charts.horizontal_bars(
            "reasons",
            "Handoffs by reason",
            [(reason_label(r["reason"]), r["count"]) for r in report["handoff_reasons"]],
        ),
        "themes_chart": charts.horizontal_bars(
            "themes",
            "Unanswered questions by theme",
            [(t["label"], t["size"]) for t in report["unanswered_themes"]],
        ),
    }


def _log_warm_up(done: Any) -> None:
    if done.exception() is not None:
        logger.warning("insight: reading the conversations at start failed: %s", done.exception())
    else:
        logger.info("insight: %d conversations read at start", done.result())


def register(blueprint: Blueprint, app: StaffApp, engine: Engine) -> None:
    """Add the dashboard routes to the staff blueprint; `engine` is the project database."""

    def costs() -> Costs:
        return Costs(app.settings.insight_cost_per_call, app.settings.insight_cost_per_web_visit)

    def tracker() -> Engine:
        url = app.settings.tracker_database_url
        return engine if url == app.settings.database_url else get_engine(url)

    @blueprint.listener("after_server_start")
    async def read_conversations_once(_app: Any, loop: Any) -> None:
        # In a thread, after start: about 8 s at 100,000 conversations, which the first
        # view of the page would otherwise wait for (README, "Insight").
        future = loop.run_in_executor(None, warm_up, tracker())
        future.add_done_callback(_log_warm_up)

    def refused(request: Request, message: str, status: int) -> HTTPResponse:
        page = app.render(request, "error.html", message=message, status=status)
        return html(page, status=status)

    def checked(request: Request) -> tuple[date, date] | HTTPResponse:
        if not signed_in_staff(request).is_supervisor:
            return refused(request, "Only supervisors can see the insight dashboard.", 403)
        try:
            return period_from(request.args, app.queue.now().date())
        except PeriodError as error:
            return refused(request, str(error), 400)

    @blueprint.get("/insight")
    async def page_insight(request: Request) -> HTTPResponse:
        period = checked(request)
        if isinstance(period, HTTPResponse):
            return period
        first, last = period
        report = await asyncio.to_thread(insight_overview, tracker(), engine, first, last, costs())
        page = app.render(
            request,
            "insight.html",
            report=report,
            first=first,
            last=last,
            **_chart_values(report, app.templates.filters),
        )
        return html(page)

    async def _download(request: Request, kind: str) -> HTTPResponse:
        period = checked(request)
        if isinstance(period, HTTPResponse):
            return period
        first, last = period
        themes = await asyncio.to_thread(unanswered_themes, tracker(), first, last, 50)
        name = f"unanswered-{first.isoformat()}-{last.isoformat()}"
        if kind == "csv":
            body, content_type, name = themes_csv(themes), "text/csv; charset=utf-8", name + ".csv"
        else:
            body, content_type = themes_nlu_yaml(themes), "application/yaml; charset=utf-8"
            name += ".yml"
        return text(
            body,
            content_type=content_type,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @blueprint.get("/insight/unanswered.csv")
    async def download_csv(request: Request) -> HTTPResponse:
        return await _download(request, "csv")

    @blueprint.get("/insight/unanswered.yml")
    async def download_yaml(request: Request) -> HTTPResponse:
        return await _download(request, "yml")
