"""Bin-day reminders in conversation: subscribe (with an explicit yes in words), list, stop.

By text, the sender's number (kept by the SMS channel for the conversation id
`sms:<hash>`, bot/db/sms.py) is the contact, proven by the text itself. On the web
the resident gives a UK mobile (or an email address, when SMTP is set up) and types
back the code sent to it before anything is switched on.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.address_steps import AddressSlotValidation
from actions.client_limits import CODE_SENDS, client_of
from actions.database import ServiceDown, with_session
from actions.form_asides import GiveWayToInterruptions, interrupted, unclear_answer, validated
from actions.messaging import say, text
from bot.clock import now
from bot.db.notifications import CONTACT_EMAIL, CONTACT_SMS
from bot.db.session import get_engine
from bot.db.sms import kept_number, number_hash_of
from bot.nlp.yes_no import read_answer
from bot.notifications.commands import build_senders
from bot.privacy import hash_identifier
from bot.safety.labels import URGENT
from bot.services.addresses import find_address
from bot.services.notification_contacts import (
    CodeCheck,
    check_code,
    codes_sent_today,
    issue_code,
    normalise_mobile,
    parse_contact,
)
from bot.services.notification_delivery import deliver
from bot.services.notification_subscriptions import subscribe, subscriptions_for, withdraw_all
from bot.settings import get_settings

FORM = "reminders_form"
ADDRESS_SLOTS = ("postcode", "address_uprn", "house_number")
OWN_SLOTS = ("notify_contact", "notify_consent", "notify_code", "notify_subscription_id")
INTERRUPTIONS = {"cancel", "request_human", "bot_challenge"} | URGENT
MAX_TEXT = 200


def by_text(tracker: Tracker) -> bool:
    """True when the conversation is over SMS (so the number is known to the channel)."""
    return tracker.get_latest_input_channel() == "sms"


async def _contact(tracker: Tracker) -> str | None:
    if by_text(tracker):
        conversation = str(tracker.sender_id or "")
        number_hash = number_hash_of(conversation)
        if number_hash is None:  # a conversation from before ids were hashed
            return normalise_mobile(conversation)
        number = await with_session(kept_number, number_hash)
        return normalise_mobile(number) if number else None
    return tracker.get_slot("notify_contact")


def _by_email(tracker: Tracker) -> bool:
    return not by_text(tracker) and "@" in str(tracker.get_slot("notify_contact") or "")


def email_enabled() -> bool:
    """Email needs an SMTP server in the settings."""
    return bool(get_settings().smtp_host)


async def consent_wording(tracker: Tracker) -> str:
    """Exactly what the resident is asked to agree to (stored with the consent record)."""
    uprn = tracker.get_slot("address_uprn")
    address = await with_session(find_address, uprn) if uprn else None
    return text(
        "reminders_consent_email" if _by_email(tracker) else "reminders_consent",
        address=address.label if address else "your address",
        cap=get_settings().notification_daily_cap,
        time=get_settings().reminder_send_time,
    )


async def send_code(kind: str, to: str, body: str, key: str, token: str) -> None:
    """Send a one-time code by text (SMS channel's sender) or email (SMTP)."""
    settings = get_settings()
    senders = build_senders(get_engine(settings.database_url), settings)
    await deliver(senders[kind], kind, to, body, key, token)


def _free_text(tracker: Tracker, slot: str) -> str | None:
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if tracker.get_slot("requested_slot") != slot or intent in INTERRUPTIONS:
        return None
    return str(tracker.latest_message.get("text") or "")[:MAX_TEXT] or None


class ValidateRemindersForm(GiveWayToInterruptions, AddressSlotValidation, FormValidationAction):
    """Postcode and address (the bin-day steps), then the contact, the yes, and the code."""

    def name(self) -> str:
        return "validate_reminders_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        if by_text(tracker):
            return ["postcode", "address_uprn", "notify_consent"]
        return ["postcode", "address_uprn", "notify_contact", "notify_consent", "notify_code"]

    async def extract_postcode(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        typed = _free_text(tracker, "postcode")
        return {"postcode": typed} if typed else {}

    async def extract_address_uprn(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        typed = _free_text(tracker, "address_uprn")
        return {"address_uprn": typed} if typed else {}

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Then a reply to "Do you want these texts?" that is not a clear yes or no."""
        events = await super().get_validation_events(dispatcher, tracker, domain)
        if (
            tracker.get_slot("requested_slot") == "notify_consent"
            and not interrupted(tracker)
            and not validated(events, "notify_consent")
        ):
            result = await self.validate_notify_consent(None, dispatcher, tracker, domain)
            tracker.slots.update(result)
            events += [SlotSet(slot, value) for slot, value in result.items()]
        return events

    async def validate_notify_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        contact = parse_contact(str(value or "")[:MAX_TEXT])
        if contact is None:
            say(
                dispatcher,
                "reminders_contact_invalid" if email_enabled() else "reminders_mobile_invalid",
            )
            return {"notify_contact": None}
        if contact.kind == CONTACT_EMAIL and not email_enabled():
            say(dispatcher, "reminders_email_unavailable")
            return {"notify_contact": None}
        return {"notify_contact": contact.value}

    async def validate_notify_consent(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") == "notify_consent":
            # The words decide, whatever the classifier filled in; consent needs words,
            # not a thumbs-up (bot/nlp/yes_no.py).
            message = str(tracker.latest_message.get("text") or "")
            intent = (tracker.latest_message.get("intent") or {}).get("name")
            answer = read_answer(message, intent, symbols=False)
            if answer == "unclear":
                return unclear_answer(
                    dispatcher, tracker, "notify_consent", "reminders_consent_unclear"
                )
            value = answer == "yes"
        if value is not True:
            say(dispatcher, "reminders_declined")
            return {"notify_consent": False, "requested_slot": None}
        if by_text(tracker):
            return {"notify_consent": True}
        contact = str(tracker.get_slot("notify_contact"))
        kind = CONTACT_EMAIL if _by_email(tracker) else CONTACT_SMS
        wording = await consent_wording(tracker)
        moment = now()

        def pending(session: Any) -> tuple[int, str, str] | None:
            sent = codes_sent_today(session, hash_identifier(contact), moment)
            if sent >= get_settings().notification_daily_cap:
                return None
            sub = subscribe(
                session,
                contact_kind=kind,
                contact=contact,
                uprn=tracker.get_slot("address_uprn"),
                channel="web",
                wording=wording,
                now=moment,
                confirmed=False,
            )
            return sub.id, sub.unsubscribe_token, issue_code(session, sub.id, moment)

        client = client_of(tracker)
        if client is not None and not CODE_SENDS.allow(client):
            say(dispatcher, "reminders_too_many_codes")
            return {"notify_consent": None, "requested_slot": None}
        try:
            made = await with_session(pending)
            if made is None:
                say(dispatcher, "reminders_too_many_codes")
                return {"notify_consent": None, "requested_slot": None}
            sub_id, token, code = made
            await send_code(
                kind,
                contact,
                text(f"reminders_code_{kind}", code=code),
                f"notify-code:{sub_id}:{moment.isoformat()}",
                token,
            )
        except ServiceDown:
            say(dispatcher, "case_system_down")
            return {"notify_consent": None, "requested_slot": None}
        return {"notify_consent": True, "notify_subscription_id": str(sub_id)}

    async def validate_notify_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        sub_id = int(tracker.get_slot("notify_subscription_id") or 0)
        outcome = await with_session(check_code, sub_id, str(value or "")[:20], now())
        if outcome is CodeCheck.CONFIRMED:
            return {"notify_code": "confirmed"}
        if outcome is CodeCheck.WRONG:
            say(dispatcher, "reminders_code_wrong")
            return {"notify_code": None}
        say(
            dispatcher,
            "reminders_code_locked" if outcome is CodeCheck.LOCKED else "reminders_code_expired",
        )
        return {"notify_code": None, "requested_slot": None}


class AskNotifyContact(Action):
    def name(self) -> str:
        return "action_ask_notify_contact"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        say(dispatcher, "reminders_ask_contact" if email_enabled() else "reminders_ask_mobile")
        return []


class AskNotifyConsent(Action):
    def name(self) -> str:
        return "action_ask_notify_consent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(
            text=await consent_wording(tracker),
            buttons=[{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}],
        )
        return []


class AskNotifyCode(Action):
    def name(self) -> str:
        return "action_ask_notify_code"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        say(dispatcher, "reminders_ask_code")
        return []


def _reset() -> list[EventType]:
    return [SlotSet(slot, None) for slot in (*ADDRESS_SLOTS, *OWN_SLOTS)]


class ActionSubscribeReminders(Action):
    """The form's end: switch reminders on by text, or confirm the web sign-up."""

    def name(self) -> str:
        return "action_subscribe_reminders"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if tracker.get_slot("notify_consent") is not True:
            return _reset()
        if not by_text(tracker):
            if tracker.get_slot("notify_code") == "confirmed":
                say(dispatcher, "reminders_on")
            return _reset()
        contact = await _contact(tracker)
        uprn = tracker.get_slot("address_uprn")
        if not contact or not uprn:
            return _reset()
        wording = await consent_wording(tracker)
        try:
            await with_session(
                lambda session: subscribe(
                    session,
                    contact_kind="sms",
                    contact=contact,
                    uprn=uprn,
                    channel="sms",
                    wording=wording,
                    now=now(),
                    confirmed=True,
                )
            )
        except ServiceDown:
            say(dispatcher, "case_system_down")
            return _reset()
        say(dispatcher, "reminders_on")
        return _reset()


class ActionListSubscriptions(Action):
    def name(self) -> str:
        return "action_list_subscriptions"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        contact = await _contact(tracker) if by_text(tracker) else None
        if contact is None:
            say(dispatcher, "reminders_list_web")
            return []
        subs = await with_session(subscriptions_for, contact)
        if not subs:
            say(dispatcher, "reminders_none")
            return []
        labels = []
        for sub in subs:
            address = await with_session(find_address, sub.uprn)
            labels.append(address.label if address else sub.uprn)
        say(dispatcher, "reminders_list", addresses="\n".join(labels))
        return []


class ActionStopReminders(Action):
    def name(self) -> str:
        return "action_stop_reminders"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        contact = await _contact(tracker) if by_text(tracker) else None
        if contact is None:
            say(dispatcher, "reminders_list_web")
            return []
        stopped = await with_session(lambda s: withdraw_all(s, contact, "conversation", now()))
        say(dispatcher, "reminders_stopped" if stopped else "reminders_none")
        return []


class ActionCancelRemindersForm(Action):
    """Stop the sign-up; nothing is switched on and the answers are forgotten."""

    def name(self) -> str:
        return "action_cancel_reminders_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent == "cancel":
            say(dispatcher, "reminders_cancelled")
        return [ActiveLoop(None), SlotSet("requested_slot", None), *_reset()]
