"""The transcript shown after a reload, built from Rasa's own tracker events."""

from __future__ import annotations

from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered

from channels.web.history import load_transcript, transcript


def test_only_user_and_bot_messages_make_the_transcript_in_order() -> None:
    events = [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        UserUttered("hello"),
        SlotSet("postcode", "OB1 1ZZ"),
        BotUttered(
            "Hi. What do you need?", data={"buttons": [{"title": "Bins", "payload": "/bins"}]}
        ),
        UserUttered("/bins", metadata={"webchat_display": "Bins"}),
        BotUttered("Your bin day is Thursday."),
    ]
    assert transcript(e.as_dict() for e in events) == [
        {"type": "user", "text": "hello"},
        {
            "type": "bot",
            "text": "Hi. What do you need?",
            "buttons": [{"title": "Bins", "payload": "/bins"}],
        },
        {"type": "user", "text": "Bins"},
        {"type": "bot", "text": "Your bin day is Thursday.", "buttons": []},
    ]


def test_a_long_conversation_keeps_only_its_newest_messages() -> None:
    events = [UserUttered(f"message {n}").as_dict() for n in range(10)]
    assert transcript(events, limit=3) == [
        {"type": "user", "text": f"message {n}"} for n in (7, 8, 9)
    ]


async def test_the_transcript_is_read_from_a_rasa_tracker_store() -> None:
    store = InMemoryTrackerStore(Domain.empty())
    tracker = await store.get_or_create_tracker("abc")
    tracker.update(UserUttered("council tax"))
    tracker.update(BotUttered("You can pay online."))
    await store.save(tracker)
    assert [m["text"] for m in await load_transcript(store, "abc")] == [
        "council tax",
        "You can pay online.",
    ]
    assert await load_transcript(store, "someone-else") == []
    assert await load_transcript(None, "abc") == []
