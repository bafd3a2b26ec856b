"""Handing the conversation to a person: open a ticket in the staff queue and pause the bot.

The ticket carries the transcript so far (resident turns with the detected intent and its
confidence, bot turns), the channel to answer on, the topic and why the assistant handed
over. The resident is told what happens next; the conversation is then paused until a
member of staff hands it back (channels/handoff_relay.py resumes it).
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.database import ServiceDown, with_session
from actions.messaging import say
from bot.clock import now
from bot.content import get_content
from bot.council import get_council
from bot.safety.labels import URGENT
from bot.services.handoff import HandoffError, open_ticket
from bot.services.handoff_notices import handoff_notice
from bot.services.handoff_transcript import REASONS, ticket_channel, topic_of, transcript
from bot.services.opening_hours import staff_available

log = logging.getLogger(__name__)

URGENT_INTENTS = URGENT


def reason_of(tracker: Tracker) -> str:
    """Why we hand over: the `handoff_reason` slot (set by the action that led here, e.g.
    action_fallback: "not_understood"), else read from the latest intent."""
    reason = tracker.get_slot("handoff_reason")
    if reason in REASONS:
        return str(reason)
    intent = str((tracker.latest_message.get("intent") or {}).get("name") or "")
    if intent in URGENT_INTENTS:
        return "urgent"
    return "asked_for_person"


class ActionHandoff(Action):
    """Opens (or finds) the conversation's ticket, says what happens next and pauses."""

    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        reset = [SlotSet("fallback_count", 0), SlotSet("handoff_reason", None)]
        channel = ticket_channel(tracker.get_latest_input_channel())
        reason = reason_of(tracker)
        topic = topic_of(tracker.events)
        label = REASONS[reason] + (f": {topic}" if reason == "urgent" else "")
        turns = transcript(tracker.events)
        moment = now()

        def work(session: Session) -> tuple[int, str, bool]:
            ticket = open_ticket(
                session,
                tracker.sender_id,
                channel,
                topic,
                label,
                "urgent" if reason == "urgent" else None,
                turns,
                now=moment,
            )
            session.flush()
            notice = handoff_notice(session, get_council(), get_content(), ticket.id, moment)
            return ticket.id, notice, staff_available(get_council(), moment)

        try:
            ticket_id, notice, open_now = await with_session(work)
        except (ServiceDown, HandoffError) as error:
            log.error("handoff for %s failed: %s", tracker.sender_id[-6:], error)
            say(dispatcher, "handoff_phone")
            return reset
        log.info("handoff ticket %s opened (%s, %s)", ticket_id, channel, reason)
        dispatcher.utter_message(text=notice)
        if channel == "rest":  # nothing can reach a REST caller later
            say(dispatcher, "handoff_contact_consent")
        elif channel == "web" and not open_now:
            say(dispatcher, "handoff_web_closed")
        elif channel == "web":
            say(dispatcher, "handoff_stay_here")
        say(dispatcher, "handoff_how_to_cancel")
        return [*reset, SlotSet("handoff_ticket", float(ticket_id)), ConversationPaused()]
