"""The insight page's kept conversations follow the tracker store: what Rasa adds is read,
and after a deletion (retention, erasure) nothing deleted is shown, ids reused or not."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

from insight_seed import action, seed, user
from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Engine

from bot.db.insight import tracker_events
from bot.services.insight.measures import conversations_between

FIRST, LAST = date(2026, 11, 2), date(2026, 11, 3)
LATER = datetime(2026, 11, 3, 16, 0, tzinfo=timezone.utc)


def _write(engine: Engine, sender: str, text: str, intent: str) -> None:
    rows = []
    for number, event in enumerate(
        [action("action_listen"), user(text, intent, "webchat"), action("action_fallback")]
    ):
        moment = (LATER + timedelta(seconds=number)).timestamp()
        rows.append(
            {
                "sender_id": sender,
                "type_name": event["event"],
                "timestamp": moment,
                "intent_name": intent if event["event"] == "user" else None,
                "action_name": event.get("name"),
                "data": json.dumps({**event, "timestamp": moment}),
            }
        )
    with engine.begin() as connection:
        connection.execute(insert(tracker_events), rows)


def _texts(engine: Engine) -> dict[str, list[str]]:
    return {
        c.conversation_id: [text for _, text in c.unanswered]
        for c in conversations_between(engine, FIRST, LAST)
    }


def test_events_added_after_a_view_are_in_the_next_view(migrated_engine: Engine) -> None:
    seed(migrated_engine)
    before = _texts(migrated_engine)
    assert len(before) == 7 and "late" not in before
    _write(migrated_engine, "late", "can I book the town hall", "nlu_fallback")
    after = _texts(migrated_engine)
    assert after["late"] == ["can I book the town hall"]
    assert {k: v for k, v in after.items() if k != "late"} == before


def test_a_deleted_conversation_is_gone_even_when_new_rows_take_its_ids(
    migrated_engine: Engine,
) -> None:
    seed(migrated_engine)
    _write(migrated_engine, "erased", "my name is Ann Example", "nlu_fallback")
    assert _texts(migrated_engine)["erased"] == ["my name is Ann Example"]
    with migrated_engine.begin() as connection:
        ids = (
            connection.execute(
                select(tracker_events.c.id).where(tracker_events.c.sender_id == "erased")
            )
            .scalars()
            .all()
        )
        connection.execute(delete(tracker_events).where(tracker_events.c.sender_id == "erased"))
    # As many new rows as were deleted: on SQLite they take the deleted rows' ids again.
    _write(migrated_engine, "next", "where is the tip", "nlu_fallback")
    with migrated_engine.connect() as connection:
        newest = connection.execute(select(func.max(tracker_events.c.id))).scalar_one()
    if migrated_engine.dialect.name == "sqlite":
        assert newest == max(ids)
    texts = _texts(migrated_engine)
    assert "erased" not in texts
    assert texts["next"] == ["where is the tip"]


def test_a_server_reads_every_conversation_once_at_start_so_the_first_view_reads_none(
    migrated_engine: Engine,
) -> None:
    """`warm_up` runs in a thread when the staff app starts (bot/web/insight_pages.py)."""
    from sqlalchemy import event

    from bot.services.insight.conversation_cache import warm_up

    seed(migrated_engine)
    assert warm_up(migrated_engine) >= 7  # the 7 in the period, and any outside it
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(migrated_engine, "before_cursor_execute", record)
    try:
        assert len(_texts(migrated_engine)) == 7
    finally:
        event.remove(migrated_engine, "before_cursor_execute", record)
    # Only the check for new or deleted events: no event's data is read again.
    assert statements and not any("data" in s.split("FROM")[0] for s in statements), statements
