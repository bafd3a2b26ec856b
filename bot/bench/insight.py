"""`make bench`, insight part: how long the staff insight page's work takes with a busy
council's data. One JSON line.

    python -m bot.bench.insight [--conversations 100000] [--unanswered 20000]

Seeds temporary SQLite databases (Rasa's tracker events and the project's tables) with
`--conversations` conversations over the page's default 28 days, `--unanswered` of them
with a question the assistant could not answer (each worded from a few dozen topics, so
themes form), then times what `/staff/insight` runs (`insight_overview`: the measures and
the unanswered themes) twice: the first view after a start (every conversation read), then
a view after 200 more conversations (only those read). Then the theme grouping alone. The
seeding is not timed.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from datetime import date, datetime, timedelta
from datetime import time as day_time
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import Engine

from bot.clock import LONDON
from bot.db.insight import TRACKER_METADATA, tracker_events
from bot.db.migrate import upgrade
from bot.db.session import make_engine
from bot.services.insight.measures import conversations_between
from bot.services.insight.overview import insight_overview
from bot.services.insight.themes import group_into_themes, unanswered_questions

LAST_DAY = date(2026, 11, 30)
DAYS = 28
NEW_BETWEEN_VIEWS = 200
TOPICS = [
    "dog licence",
    "swimming pool opening times",
    "allotment waiting list",
    "parking permit",
    "school admissions",
    "library card",
    "noise from neighbours",
    "tree on the pavement",
    "wedding at the town hall",
    "garden waste subscription",
    "market stall licence",
    "blue badge renewal",
    "council housing repairs",
    "pest control for rats",
    "graffiti on a bridge",
    "electric car charging points",
    "planning application",
    "skip permit",
    "taxi licence",
    "food hygiene rating",
    "bus pass",
    "recycling centre hours",
    "business rates",
    "register to vote",
    "birth certificate copy",
    "sports pitch booking",
    "dropped kerb",
    "street party",
    "fireworks complaint",
    "abandoned car",
]
OPENINGS = [
    "how do I get a",
    "where can I find the",
    "I need help with my",
    "what about",
    "is there a",
    "question about the",
    "can you tell me about",
    "",
]
ENDINGS = ["", "please", "today", "for my mum", "near me", "this week", "again", "urgently"]


def _event(sender: str, moment: float, event: dict[str, Any]) -> dict[str, Any]:
    data = {**event, "timestamp": moment}
    intent = event["parse_data"]["intent"]["name"] if event["event"] == "user" else None
    return {
        "sender_id": sender,
        "type_name": event["event"],
        "timestamp": moment,
        "intent_name": intent,
        "action_name": event.get("name") if event["event"] == "action" else None,
        "data": json.dumps(data),
    }


def _conversation(number: int, unanswered: bool, rng: random.Random) -> list[dict[str, Any]]:
    day = LAST_DAY - timedelta(days=number % DAYS)
    start = datetime.combine(day, day_time(9), tzinfo=LONDON).timestamp() + number % 30000
    sender = f"bench-{number}"
    if unanswered:
        text = " ".join(
            w for w in (rng.choice(OPENINGS), rng.choice(TOPICS), rng.choice(ENDINGS)) if w
        )
        intent, action, reply = "nlu_fallback", "action_fallback", "Sorry, I did not get that."
    else:
        text, intent, action, reply = (
            "how do I pay council tax",
            "council_tax_pay",
            "action_answer_faq",
            "Pay online.",
        )
    events: list[dict[str, Any]] = [
        {"event": "action", "name": "action_session_start"},
        {"event": "session_started"},
        {"event": "action", "name": "action_listen"},
        {
            "event": "user",
            "text": text,
            "input_channel": "webchat",
            "parse_data": {
                "intent": {"name": intent, "confidence": 0.9},
                "entities": [],
                "text": text,
            },
        },
        {"event": "action", "name": action},
        {"event": "bot", "text": reply, "data": {}},
        {"event": "action", "name": "action_listen"},
    ]
    return [_event(sender, start + n * 0.5, event) for n, event in enumerate(events)]


def seed(tracker: Engine, conversations: int, unanswered: int) -> None:
    """Rasa's events table with `conversations` conversations, `unanswered` of them with an
    unanswered question, spread over the 28 days ending LAST_DAY."""
    TRACKER_METADATA.create_all(tracker)
    step = conversations / max(unanswered, 1)
    _add(
        tracker, range(conversations), random.Random(20), {int(n * step) for n in range(unanswered)}
    )


def _add(
    tracker: Engine, numbers: range, rng: random.Random, unanswered: set[int] | None = None
) -> None:
    """Conversations `numbers`, those in `unanswered` (default: every fifth) unanswered."""
    with tracker.begin() as connection:
        batch: list[dict[str, Any]] = []
        for number in numbers:
            missed = number in unanswered if unanswered is not None else number % 5 == 0
            batch += _conversation(number, missed, rng)
            if len(batch) >= 50_000:
                connection.execute(insert(tracker_events), batch)
                batch = []
        if batch:
            connection.execute(insert(tracker_events), batch)


def measure(conversations: int, unanswered: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="insight-bench-") as folder:
        tracker = make_engine(f"sqlite:///{Path(folder) / 'tracker.db'}")
        project_url = f"sqlite:///{Path(folder) / 'council.db'}"
        upgrade(project_url)
        project = make_engine(project_url)
        seed(tracker, conversations, unanswered)
        rng = random.Random(28)
        first = LAST_DAY - timedelta(days=DAYS - 1)

        started = time.perf_counter()
        insight_overview(tracker, project, first, LAST_DAY)
        cold = time.perf_counter() - started
        # Then, as the page is used: new conversations arrive between two views.
        _add(tracker, range(conversations, conversations + NEW_BETWEEN_VIEWS), rng)
        started = time.perf_counter()
        report = insight_overview(tracker, project, first, LAST_DAY)
        page = time.perf_counter() - started

        found = conversations_between(tracker, first, LAST_DAY)
        questions = unanswered_questions(found)
        started = time.perf_counter()
        themes = group_into_themes(questions, limit=50)
        grouping = time.perf_counter() - started
        tracker.dispose()
        project.dispose()
    return {
        "bench": "insight",
        "conversations": conversations,
        "unanswered_questions": len(questions),
        "insight_overview_first_view_seconds": round(cold, 2),
        "insight_overview_seconds": round(page, 2),
        "new_conversations_between_views": NEW_BETWEEN_VIEWS,
        "theme_grouping_seconds": round(grouping, 3),
        "themes": len(themes),
        "largest_themes": [(t.label, t.size) for t in themes[:3]],
        "conversations_counted": report["totals"]["conversations"],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--unanswered", type=int, default=20_000)
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.conversations, args.unanswered)))


if __name__ == "__main__":
    main()
