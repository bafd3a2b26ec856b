"""Replies to follow-ups: anger gets the complaints route and a person wherever the reply
would be the fallback, out of scope or small talk; a reference alone after a miss is looked up."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.replies import ActionAnswerFaq, ActionFallback, ActionReply
from tests.actions.conftest import form_tracker, slot_events, texts

ANGRY = "this council is useless, nobody ever fixes anything"


async def run(action, domain, text, intent, confidence=0.99, slots=None, entities=None):
    dispatcher = CollectingDispatcher()
    tracker = form_tracker(None, slots or {}, text=text, intent=intent, entities=entities)
    tracker.latest_message["intent"]["confidence"] = confidence
    events = await action.run(dispatcher, tracker, domain)
    return dispatcher, events


def buttons(dispatcher: CollectingDispatcher) -> list[str]:
    return [b["payload"] for m in dispatcher.messages for b in m.get("buttons") or []]


async def test_anger_instead_of_the_fallback_is_acknowledged_and_not_counted_as_a_miss(domain):
    dispatcher, events = await run(
        ActionFallback(), domain, ANGRY, "nlu_fallback", 0.46, slots={"fallback_count": 1}
    )
    assert texts(dispatcher)[0].startswith("I'm sorry things have gone wrong for you.")
    assert "/contact-us/complaints" in texts(dispatcher)[0]
    assert "/request_human" in buttons(dispatcher)
    assert slot_events(events)["fallback_count"] == 0
    assert "followup" not in [e["event"] for e in events]  # no handoff on the second miss


async def test_anger_read_as_small_talk_or_out_of_scope_is_acknowledged(domain):
    for text, intent in [
        ("this bot is rubbish", "bot_challenge"),
        ("thanks for nothing", "thank"),
        ("what a waste of time", "out_of_scope"),
    ]:
        dispatcher, _ = await run(ActionReply(), domain, text, intent)
        assert texts(dispatcher)[0].startswith("I'm sorry things have gone wrong"), text


async def test_a_calm_message_gets_its_usual_reply(domain):
    dispatcher, _ = await run(ActionReply(), domain, "are you a bot", "bot_challenge")
    assert "automated assistant" in texts(dispatcher)[0]
    dispatcher, _ = await run(ActionFallback(), domain, "blah blah", "nlu_fallback", 0.3)
    assert "not sure what you mean" in texts(dispatcher)[0]


async def test_anger_read_as_contact_details_is_acknowledged_but_a_sure_faq_is_answered(domain):
    dispatcher, _ = await run(
        ActionAnswerFaq(), domain, "the council is a disgrace", "contact_council", 0.66
    )
    assert texts(dispatcher)[0].startswith("I'm sorry things have gone wrong")
    dispatcher, _ = await run(
        ActionAnswerFaq(),
        domain,
        "I'm fed up, how do I pay my council tax",
        "council_tax_pay",
        0.95,
    )
    assert "council-tax/pay" in texts(dispatcher)[0]


async def test_a_reference_alone_that_the_model_was_unsure_of_is_looked_up(assistant, domain):
    dispatcher, events = await run(
        ActionFallback(),
        domain,
        "it's ph473263",
        "nlu_fallback",
        0.4,
        slots={"reference": "PH-473263"},
        entities=[{"entity": "reference", "value": "PH-473263"}],
    )
    assert texts(dispatcher)[0].startswith("PH-473263: we've received your report")
    assert slot_events(events)["fallback_count"] == 0


async def test_a_long_message_with_a_reference_is_not_taken_for_a_reference_alone(domain):
    dispatcher, _ = await run(
        ActionFallback(),
        domain,
        "my neighbour said PH-473263 was about the bins on our road",
        "nlu_fallback",
        0.4,
        slots={"reference": "PH-473263"},
        entities=[{"entity": "reference", "value": "PH-473263"}],
    )
    assert "not sure what you mean" in texts(dispatcher)[0]
