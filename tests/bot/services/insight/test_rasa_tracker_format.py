"""The measures read what Rasa's own SQL tracker store writes (not only our seeded rows)."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.db.session import make_engine
from bot.services.insight.measures import conversations_between

PROJECT_ROOT = Path(__file__).resolve().parents[4]
MOMENT = datetime(2026, 11, 10, 12, 0, tzinfo=timezone.utc).timestamp()


async def test_a_conversation_saved_by_rasa_is_read_with_its_channel_topic_and_feedback(
    tmp_path: Path,
) -> None:
    domain = Domain.load(str(PROJECT_ROOT / "domain"))
    store = SQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "tracker.db"))
    tracker = DialogueStateTracker.from_events(
        "web-1",
        [
            ActionExecuted("action_listen", timestamp=MOMENT),
            UserUttered(
                "how do I pay council tax",
                {"name": "council_tax_pay", "confidence": 0.9},
                input_channel="webchat",
                timestamp=MOMENT + 1,
            ),
            ActionExecuted("action_answer_faq", timestamp=MOMENT + 2),
            BotUttered("Pay online", timestamp=MOMENT + 2),
            SlotSet("feedback_topic", "council_tax_pay", timestamp=MOMENT + 2),
            ActionExecuted("action_listen", timestamp=MOMENT + 3),
            UserUttered(
                "no",
                {"name": "deny", "confidence": 0.9},
                input_channel="webchat",
                timestamp=MOMENT + 4,
            ),
            ActionExecuted("action_reply", timestamp=MOMENT + 5),
            SlotSet("feedback_answer", "no", timestamp=MOMENT + 5),
            SlotSet("feedback_topic", None, timestamp=MOMENT + 5),
        ],
        domain.slots,
    )
    await store.save(tracker)
    engine = make_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
    try:
        [conversation] = conversations_between(engine, date(2026, 11, 10), date(2026, 11, 10))
    finally:
        engine.dispose()
    assert conversation.channel == "web"
    assert conversation.topics == ["council_tax_pay"]
    assert conversation.feedback == [("council_tax_pay", "no")]
    assert conversation.unanswered == [("no", "how do I pay council tax")]
    assert not conversation.contained
