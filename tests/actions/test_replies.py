"""Replies without look-ups: honesty, FAQs, urgent help and the fallback's two strikes."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.replies import ActionAnswerFaq, ActionAnswerUrgent, ActionFallback, ActionReply
from tests.actions.conftest import form_tracker, slot_events, texts


async def run(action, domain, intent="greet", slots=None, entities=None):
    dispatcher = CollectingDispatcher()
    tracker = form_tracker(None, slots or {}, intent=intent, entities=entities)
    events = await action.run(dispatcher, tracker, domain)
    return dispatcher, events


async def test_greeting_says_it_is_automated_and_links_the_privacy_notice(domain):
    dispatcher, _ = await run(ActionReply(), domain, "greet")
    assert "automated assistant, not a person" in texts(dispatcher)[0]
    assert texts(dispatcher)[0].endswith("https://www.oakbridge.gov.example/privacy/assistant")


async def test_faq_answer_comes_from_content_with_the_council_link(domain):
    dispatcher, _ = await run(ActionAnswerFaq(), domain, "council_tax_pay")
    assert "https://www.oakbridge.gov.example/council-tax/pay" in texts(dispatcher)[0]


async def test_urgent_answer_leads_with_999(domain):
    dispatcher, _ = await run(ActionAnswerUrgent(), domain, "homelessness")
    assert "999" in texts(dispatcher)[0].split(".")[0]


async def test_first_fallback_asks_to_rephrase_second_offers_a_person(domain):
    dispatcher, events = await run(ActionFallback(), domain, "nlu_fallback")
    assert "not sure what you mean" in texts(dispatcher)[0]
    assert slot_events(events)["fallback_count"] == 1
    dispatcher, events = await run(
        ActionFallback(), domain, "nlu_fallback", slots={"fallback_count": 1}
    )
    assert "pass you to a person" in texts(dispatcher)[0]
    assert slot_events(events)["fallback_count"] == 0
    assert {"event": "followup", "name": "action_handoff"} in [
        {"event": e["event"], "name": e.get("name")} for e in events
    ]


async def test_any_understood_reply_resets_the_fallback_count(domain):
    _, events = await run(ActionReply(), domain, "thank", slots={"fallback_count": 1})
    assert slot_events(events)["fallback_count"] == 0


async def test_a_reference_on_its_own_is_checked_in_the_same_action(assistant, domain):
    # No follow-up action: Rasa has no rule after one, and its core fallback would answer.
    dispatcher, events = await run(
        ActionReply(), domain, "inform", slots={"reference": "PH-473263"}
    )
    assert "PH-473263: we've received your report" in texts(dispatcher)[0]
    assert "followup" not in [e["event"] for e in events]
    assert slot_events(events)["reference"] is None


async def test_a_postcode_on_its_own_offers_what_can_be_done_with_it(domain):
    dispatcher, _ = await run(ActionReply(), domain, "inform", slots={"postcode": "OB2 5JQ"})
    assert "OB2 5JQ" in texts(dispatcher)[0]
    assert dispatcher.messages[0]["buttons"][0]["payload"] == "/bin_collection_day"
