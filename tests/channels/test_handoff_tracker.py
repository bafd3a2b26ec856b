"""What handing back writes into Rasa's tracker: the conversation must be left exactly as
at the start of any turn (listening, no form half-asked, no open ticket remembered), or
the RulePolicy cannot match the next message to a rule. Real Rasa trackers and stores,
with the project's domain."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    ConversationPaused,
    ConversationResumed,
    SlotSet,
    UserUttered,
)

from channels import handoff_tracker

DOMAIN = Domain.load(str(Path(__file__).parents[2] / "domain"))


def stores() -> SimpleNamespace:
    return SimpleNamespace(
        tracker_store=InMemoryTrackerStore(DOMAIN), lock_store=InMemoryLockStore()
    )


async def handed_over(agent: SimpleNamespace, sender_id: str, *, in_form: bool) -> None:
    """The tracker as Rasa leaves it after action_handoff: paused, no action_listen after."""
    tracker = await agent.tracker_store.get_or_create_tracker(sender_id)
    tracker.update(UserUttered("when is my bin day", {"name": "bin_collection_day"}))
    if in_form:  # handed over by the fallback while the form waited for a postcode
        tracker.update(ActionExecuted("bin_day_form"))
        tracker.update(ActiveLoop("bin_day_form"))
        tracker.update(SlotSet("requested_slot", "postcode"))
        tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
        tracker.update(UserUttered("asdfghjkl", {"name": "nlu_fallback"}))
    tracker.update(ActionExecuted("action_handoff"))
    tracker.update(SlotSet("handoff_ticket", 7.0))
    tracker.update(SlotSet("fallback_count", 1))  # as if a miss was counted after the reset
    tracker.update(ConversationPaused())
    await agent.tracker_store.save(tracker)


async def test_handing_back_leaves_the_conversation_listening_with_nothing_half_done():
    agent = stores()
    await handed_over(agent, "c1", in_form=True)
    await handoff_tracker.record_resident(agent, "c1", "hello?", "rest")
    assert await handoff_tracker.record(agent, "c1", "You're back.", "back:7", resume=True)
    tracker = await agent.tracker_store.retrieve("c1")
    assert not tracker.is_paused()
    assert tracker.latest_action_name == ACTION_LISTEN_NAME
    assert tracker.active_loop_name is None
    assert tracker.get_slot("requested_slot") is None
    assert tracker.get_slot("handoff_ticket") is None
    assert tracker.get_slot("fallback_count") == 0
    assert tracker.events[-2].text == "You're back."
    assert not handoff_tracker.left_with_a_person(tracker)


async def test_a_hand_back_heard_after_the_resident_moved_on_only_adds_its_message():
    """The resident's next message was handed back first (hand_back_if_left) and started
    the bin-day form; the late "handed back" event must not stop that form."""
    agent = stores()
    await handed_over(agent, "c1", in_form=False)
    assert await handoff_tracker.hand_back_if_left(agent, "c1")
    tracker = await agent.tracker_store.retrieve("c1")
    tracker.update(UserUttered("when is my bin day", {"name": "bin_collection_day"}))
    tracker.update(ActionExecuted("bin_day_form"))
    tracker.update(ActiveLoop("bin_day_form"))
    tracker.update(SlotSet("requested_slot", "postcode"))
    tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
    await agent.tracker_store.save(tracker)
    before = len(tracker.events)
    assert await handoff_tracker.record(agent, "c1", "You're back.", "back:7", resume=True)
    tracker = await agent.tracker_store.retrieve("c1")
    assert len(tracker.events) == before + 1
    assert tracker.active_loop_name == "bin_day_form"
    assert tracker.get_slot("requested_slot") == "postcode"
    assert not await handoff_tracker.hand_back_if_left(agent, "c1")


async def test_a_conversation_resumed_without_listening_by_older_code_is_mended():
    agent = stores()
    await handed_over(agent, "c1", in_form=False)
    tracker = await agent.tracker_store.retrieve("c1")
    tracker.update(ConversationResumed())  # what handing back used to write
    await agent.tracker_store.save(tracker)
    assert await handoff_tracker.hand_back_if_left(agent, "c1")
    tracker = await agent.tracker_store.retrieve("c1")
    assert tracker.latest_action_name == ACTION_LISTEN_NAME


async def test_a_conversation_never_handed_over_is_not_touched():
    agent = stores()
    assert not await handoff_tracker.hand_back_if_left(agent, "nobody")
    tracker = await agent.tracker_store.get_or_create_tracker("c2")
    await agent.tracker_store.save(tracker)
    before = len(tracker.events)
    assert not await handoff_tracker.hand_back_if_left(agent, "c2")
    assert len((await agent.tracker_store.retrieve("c2")).events) == before


async def test_what_a_handed_over_resident_says_is_logged_with_what_was_understood():
    agent = stores()
    await handed_over(agent, "c1", in_form=False)
    parsed = {
        "intent": {"name": "homelessness", "confidence": 0.93},
        "entities": [],
        "text": "I have nowhere to sleep tonight",
    }
    await handoff_tracker.record_resident(agent, "c1", parsed["text"], "webchat", parsed)
    tracker = await agent.tracker_store.retrieve("c1")
    logged = tracker.events[-1]
    assert (logged.text, logged.intent_name, logged.input_channel) == (
        "I have nowhere to sleep tonight",
        "homelessness",
        "webchat",
    )
    assert tracker.is_paused()  # logged only: still with a person
