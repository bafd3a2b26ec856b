"""The figures staff see: conversations, containment, handoffs, feedback, requests and
the estimated contact avoided, per day, week, channel and topic.

Read from Rasa's tracker store and the project's tables (never from logs). Days whose
conversations retention has already removed are counted from the stored daily aggregates.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy.engine import Engine

from bot.clock import LONDON
from bot.db import insight as store
from bot.db.session import session_scope
from bot.services.insight.conversation_cache import conversations_started
from bot.services.insight.conversations import Conversation

DEFAULT_COST_PER_CALL = 2.83  # Socitm channel-cost figure for a phone call, in pounds
DEFAULT_COST_PER_WEB_VISIT = 0.15


@dataclass(frozen=True)
class Costs:
    """What one contact costs the council, in pounds, by channel."""

    per_call: float = DEFAULT_COST_PER_CALL
    per_web_visit: float = DEFAULT_COST_PER_WEB_VISIT


def london_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """The moments from London midnight starting `first` to the midnight after `last`."""
    start = datetime.combine(first, time(0), tzinfo=LONDON)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=LONDON)
    return start, end


def conversations_between(tracker: Engine, first: date, last: date) -> list[Conversation]:
    """Conversations that started on London days first..last, read from the tracker store
    (through this process's kept copy, `conversation_cache`), oldest first."""
    start, end = london_bounds(first, last)
    return conversations_started(tracker, start.timestamp(), end.timestamp())


def daily_counts(conversations: Iterable[Conversation]) -> list[dict[str, Any]]:
    """Counts per (London day, channel, topic): the form the daily aggregates keep."""
    rows: dict[tuple[date, str, str], Counter[str]] = defaultdict(Counter)
    for c in conversations:
        row = rows[(c.day, c.channel, c.topic)]
        row["conversations"] += 1
        row["contained"] += int(c.contained)
        row["handed_off"] += int(c.handed_off)
        row["user_messages"] += c.user_messages
        row["fallback_messages"] += c.fallback_messages
        row["status_lookups"] += c.status_lookups
        for topic in c.topics:
            rows[(c.day, c.channel, topic)]["topic_messages"] += 1
        for topic, answer in c.feedback:
            rows[(c.day, c.channel, topic)][f"feedback_{answer}"] += 1
    return [
        {
            "day": day,
            "channel": channel,
            "topic": topic,
            **{name: counts.get(name, 0) for name in store.COUNTERS},
        }
        for (day, channel, topic), counts in sorted(rows.items())
    ]


def _percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile (share 0..1) of `values`; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _sum(rows: Iterable[dict[str, Any]]) -> dict[str, int]:
    total: Counter[str] = Counter()
    for row in rows:
        for name in store.COUNTERS:
            total[name] += int(row.get(name, 0))
    return {name: total.get(name, 0) for name in store.COUNTERS}


def _summary(counts: dict[str, int], costs: Costs) -> dict[str, Any]:
    contained = counts["contained"]
    return {
        **counts,
        "contained_rate": _rate(contained, counts["conversations"]),
        "fallback_rate": _rate(counts["fallback_messages"], counts["user_messages"]),
        "contact_avoided_pounds": round(contained * (costs.per_call - costs.per_web_visit), 2),
    }


def _week(day: date) -> date:
    return day - timedelta(days=day.weekday())


def build_report(
    tracker: Engine,
    project: Engine,
    first: date,
    last: date,
    costs: Costs = Costs(),
    conversations: list[Conversation] | None = None,
) -> dict[str, Any]:
    """Every figure for London days first..last inclusive, as JSON-ready plain values
    (`conversations`: those days' conversations when already read from `tracker`)."""
    if conversations is None:
        conversations = conversations_between(tracker, first, last)
    rows = daily_counts(conversations)
    start, end = london_bounds(first, last)
    with session_scope(project) as session:
        rows += store.aggregates_between(session, first, last)
        tickets = store.tickets_created_between(session, start, end)
        requests = store.requests_created_between(session, start, end)
        failed_lookups = store.failed_lookups_between(session, start, end)
        waits = [
            (t.claimed_at - t.created_at).total_seconds() / 60
            for t in tickets
            if t.claimed_at is not None
        ]
        reasons = Counter(t.reason for t in tickets)
    by_day: dict[date, list[dict[str, Any]]] = defaultdict(list)
    by_week: dict[date, list[dict[str, Any]]] = defaultdict(list)
    by_channel: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_topic: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_day[row["day"]].append(row)
        by_week[_week(row["day"])].append(row)
        by_channel[row["channel"]].append(row)
        by_topic[row["topic"]].append(row)
    requests_by_day = Counter(created.astimezone(LONDON).date() for created, _, _ in requests)
    totals = _summary(_sum(rows), costs)
    totals.update(
        {
            "handoffs": len(tickets),
            "requests_created": len(requests),
            "failed_status_lookups": len(failed_lookups),
            "handoff_wait_median_minutes": round(statistics.median(waits), 1) if waits else None,
            "handoff_wait_p90_minutes": (
                round(p90, 1) if (p90 := _percentile(waits, 0.9)) is not None else None
            ),
        }
    )
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return {
        "since": first.isoformat(),
        "until": last.isoformat(),
        "costs": {"per_call": costs.per_call, "per_web_visit": costs.per_web_visit},
        "totals": totals,
        "by_day": [
            {
                "period": d.isoformat(),
                "requests_created": requests_by_day.get(d, 0),
                **_summary(_sum(by_day.get(d, [])), costs),
            }
            for d in days
        ],
        "by_week": [
            {"period": w.isoformat(), **_summary(_sum(by_week[w]), costs)} for w in sorted(by_week)
        ],
        "by_channel": [
            {
                "channel": name,
                **_summary(_sum(group), costs),
                "requests_created": sum(1 for _, ch, _ in requests if ch == name),
            }
            for name, group in sorted(by_channel.items())
        ],
        "by_topic": sorted(
            ({"topic": name, **_summary(_sum(group), costs)} for name, group in by_topic.items()),
            key=lambda t: (-t["topic_messages"], t["topic"]),
        ),
        "handoff_reasons": [
            {"reason": reason, "count": count}
            for reason, count in sorted(reasons.items(), key=lambda r: (-r[1], r[0]))
        ],
    }
