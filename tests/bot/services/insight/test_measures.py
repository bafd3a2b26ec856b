from __future__ import annotations

from datetime import date

from insight_seed import seed
from sqlalchemy.engine import Engine

from bot.services.insight.measures import Costs, build_report

FIRST, LAST = date(2026, 11, 2), date(2026, 11, 3)


def test_report_totals_match_the_hand_counted_conversations(migrated_engine: Engine) -> None:
    seed(migrated_engine)
    totals = build_report(migrated_engine, migrated_engine, FIRST, LAST)["totals"]
    assert totals["conversations"] == 7
    assert totals["contained"] == 3
    assert totals["contained_rate"] == round(3 / 7, 4)
    assert totals["user_messages"] == 11
    assert totals["fallback_messages"] == 2
    assert totals["fallback_rate"] == round(2 / 11, 4)
    assert (totals["feedback_yes"], totals["feedback_no"]) == (1, 1)
    assert totals["status_lookups"] == 1
    assert totals["failed_status_lookups"] == 1
    assert totals["handoffs"] == 3
    assert totals["handed_off"] == 2
    assert totals["requests_created"] == 2
    assert totals["handoff_wait_median_minutes"] == 4.0
    assert totals["handoff_wait_p90_minutes"] == 10.0
    assert totals["contact_avoided_pounds"] == 8.04


def test_report_splits_by_day_channel_topic_and_handoff_reason(migrated_engine: Engine) -> None:
    seed(migrated_engine)
    report = build_report(migrated_engine, migrated_engine, FIRST, LAST)
    days = {d["period"]: (d["conversations"], d["contained"]) for d in report["by_day"]}
    assert days == {"2026-11-02": (5, 2), "2026-11-03": (2, 1)}
    channels = {c["channel"]: (c["conversations"], c["contained"]) for c in report["by_channel"]}
    assert channels == {"web": (5, 2), "sms": (2, 1)}
    topics = {t["topic"]: t["topic_messages"] for t in report["by_topic"] if t["topic_messages"]}
    assert topics == {
        "council_tax_pay": 1,
        "bulky_waste_collection": 1,
        "council_tax_band": 1,
        "check_request_status": 1,
        "homelessness": 1,
    }
    bulky = next(t for t in report["by_topic"] if t["topic"] == "bulky_waste_collection")
    assert bulky["feedback_no"] == 1
    assert report["handoff_reasons"] == [
        {"reason": "asked for a person", "count": 2},
        {"reason": "homelessness", "count": 1},
    ]
    assert [w["period"] for w in report["by_week"]] == ["2026-11-02"]


def test_contact_avoided_follows_the_configured_costs(migrated_engine: Engine) -> None:
    seed(migrated_engine)
    report = build_report(
        migrated_engine, migrated_engine, FIRST, LAST, Costs(per_call=5.0, per_web_visit=1.0)
    )
    assert report["totals"]["contact_avoided_pounds"] == 12.0


def test_conversations_outside_the_period_are_not_counted(migrated_engine: Engine) -> None:
    seed(migrated_engine)
    report = build_report(migrated_engine, migrated_engine, date(2026, 10, 20), date(2026, 10, 20))
    assert report["totals"]["conversations"] == 1
    assert report["totals"]["handoffs"] == 0


def test_an_empty_tracker_gives_zero_counts_not_errors(migrated_engine: Engine) -> None:
    report = build_report(migrated_engine, migrated_engine, FIRST, LAST)
    assert report["totals"]["conversations"] == 0
    assert report["totals"]["contained_rate"] is None
