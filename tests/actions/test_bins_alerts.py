"""The bin-day answer mentions a live service alert for the address's area first."""

from __future__ import annotations

from datetime import datetime, timedelta

from rasa_sdk.executor import CollectingDispatcher

from actions.bins import ActionTellBinDay
from bot.clock import LONDON
from bot.db.session import session_scope
from bot.services.alerts import create_alert
from tests.actions.conftest import form_tracker, texts

SEVEN_ELM_ROAD = "100090000120"  # OB2 5JQ, round TUE-B
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=LONDON)  # the actions' fixed clock


def _alert(engine, areas: tuple[str, ...], topics: tuple[str, ...], hours: int = 8) -> None:
    with session_scope(engine) as session:
        create_alert(
            session,
            message="TUE-B collections are suspended today: snow.",
            areas=areas,
            topics=topics,
            starts_at=NOW - timedelta(hours=1),
            ends_at=NOW + timedelta(hours=hours),
            created_by="supervisor",
            now=NOW - timedelta(hours=1),
        )


async def _answer(domain) -> list[str]:
    dispatcher = CollectingDispatcher()
    tracker = form_tracker(None, slots={"address_uprn": SEVEN_ELM_ROAD, "postcode": "OB2 5JQ"})
    await ActionTellBinDay().run(dispatcher, tracker, domain)
    return texts(dispatcher)


async def test_an_active_alert_for_the_round_comes_before_the_bin_days(assistant, domain):
    _alert(assistant, ("round:TUE-B",), ("bins",))
    said = await _answer(domain)
    assert said[0] == "Service alert: TUE-B collections are suspended today: snow."
    assert "Next collections for" in said[1]


async def test_alerts_elsewhere_or_on_other_topics_are_not_mentioned(assistant, domain):
    _alert(assistant, ("round:TUE-A", "OB3"), ("bins",))
    _alert(assistant, ("OB2",), ("roads",))
    said = await _answer(domain)
    assert said[0].startswith("Next collections for")
    assert not any("Service alert" in line for line in said)
