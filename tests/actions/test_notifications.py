"""Reminder sign-up, list and stop through the real actions, domain and demo database:
by text (the number is the contact) and on the web (mobile, yes, then the texted code)."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import delete, select

from actions.client_limits import CODE_SENDS
from actions.notifications import (
    ActionCancelRemindersForm,
    ActionListSubscriptions,
    ActionStopReminders,
    ActionSubscribeReminders,
    AskNotifyConsent,
    ValidateRemindersForm,
)
from bot.content import get_content
from bot.db import sms as sms_store
from bot.db.notifications import NotificationConsent
from bot.db.session import session_scope
from bot.db.sms import SmsNumber
from bot.privacy import hash_identifier
from bot.services.notification_subscriptions import subscriptions_for
from tests.actions.conftest import slot_events, texts

NUMBER = "+447700900777"
# The SMS channel names the conversation by a keyed hash of the number (bot/db/sms.py).
SMS_CONVERSATION = sms_store.conversation_id(hash_identifier(NUMBER))
SEVEN_ELM_ROAD = "100090000120"  # 7 Elm Road, OB2 5JQ


@pytest.fixture(autouse=True)
def texted_us(request: pytest.FixtureRequest) -> None:
    """The resident's text, claimed as the SMS channel claims it: the number is kept for
    the conversation (the actions find it there, not in the conversation id)."""
    if "assistant" in request.fixturenames:
        engine = request.getfixturevalue("assistant")
        sms_store.claim_inbound(
            engine, sms_store.Inbound("outbox", "m-0", NUMBER, "hi"), hash_identifier(NUMBER)
        )


def tracker(
    channel: str,
    slots: dict[str, Any],
    new_slots: dict[str, Any] | None = None,
    text: str = "",
    intent: str = "inform",
    requested: str | None = None,
    form: str | None = "reminders_form",
    client: str | None = None,
) -> Tracker:
    new_slots = new_slots or {}
    all_slots = {**slots, **new_slots, "requested_slot": requested}
    events: list[dict[str, Any]] = [
        {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}},
         "input_channel": channel},
        *({"event": "slot", "name": k, "value": v} for k, v in new_slots.items()),
    ]  # fmt: skip
    return Tracker(
        sender_id=SMS_CONVERSATION if channel == "sms" else "web-conversation-1",
        slots=all_slots,
        latest_message={"text": text, "intent": {"name": intent, "confidence": 0.99},
                        "entities": [], "metadata": {"client": client} if client else {}},
        events=events, paused=False, followup_action=None,
        active_loop={"name": form} if form else {}, latest_action_name="action_listen",
    )  # fmt: skip


async def run(action: Any, t: Tracker, domain: dict[str, Any]) -> tuple[dict[str, Any], list]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, domain)
    return slot_events(events), texts(dispatcher)


ADDRESS = {"postcode": "OB2 5JQ", "address_uprn": SEVEN_ELM_ROAD}


async def test_by_text_the_question_says_what_how_often_and_how_to_stop(assistant, domain):
    _, said = await run(AskNotifyConsent(), tracker("sms", ADDRESS), domain)
    assert "7 Elm Road" in said[0] and "18:00 the evening before" in said[0]
    assert "STOP" in said[0] and "no more than 3 texts a day" in said[0]
    assert said[0].endswith("Do you want these texts?")


async def test_by_text_the_postcode_typed_is_taken_and_an_explicit_yes_subscribes(
    assistant, domain
):
    slots, _ = await run(
        ValidateRemindersForm(), tracker("sms", {}, text="OB2 5JQ", requested="postcode"), domain
    )
    assert slots["postcode"] == "OB2 5JQ"
    slots, _ = await run(
        ValidateRemindersForm(),
        tracker(
            "sms",
            ADDRESS,
            {"notify_consent": True},
            text="yes",
            intent="affirm",
            requested="notify_consent",
        ),
        domain,
    )
    assert slots["notify_consent"] is True
    _, said = await run(
        ActionSubscribeReminders(),
        tracker("sms", {**ADDRESS, "notify_consent": True}, form=None),
        domain,
    )
    assert "bin-day texts are on" in said[0]
    with session_scope(assistant) as session:
        subs = subscriptions_for(session, NUMBER)
        assert [s.uprn for s in subs] == [SEVEN_ELM_ROAD]
        consent = session.scalars(select(NotificationConsent)).one()
        assert "7 Elm Road" in consent.wording and consent.channel == "sms"


async def test_a_no_switches_nothing_on(assistant, domain):
    slots, said = await run(
        ValidateRemindersForm(),
        tracker(
            "sms",
            ADDRESS,
            {"notify_consent": False},
            text="no",
            intent="deny",
            requested="notify_consent",
        ),
        domain,
    )
    assert slots["notify_consent"] is False and slots["requested_slot"] is None
    assert said == ["OK, I won't send you any texts."]
    await run(
        ActionSubscribeReminders(),
        tracker("sms", {**ADDRESS, "notify_consent": False}, form=None),
        domain,
    )
    with session_scope(assistant) as session:
        assert subscriptions_for(session, NUMBER) == []


async def test_on_the_web_the_mobile_is_confirmed_by_the_texted_code(assistant, domain):
    slots, said = await run(
        ValidateRemindersForm(),
        tracker("webchat", ADDRESS, {"notify_contact": "call me"}, requested="notify_contact"),
        domain,
    )
    assert slots["notify_contact"] is None and "UK mobile" in said[0]
    with_contact = {**ADDRESS, "notify_contact": NUMBER}
    slots, _ = await run(
        ValidateRemindersForm(),
        tracker(
            "webchat",
            with_contact,
            {"notify_consent": True},
            text="yes",
            intent="affirm",
            requested="notify_consent",
        ),
        domain,
    )
    sub_id = slots["notify_subscription_id"]
    with session_scope(assistant) as session:
        assert subscriptions_for(session, NUMBER) == []  # not before the code
    code_text = sms_store.outbound_for(assistant, hash_identifier(NUMBER))[-1].body
    code = re.search(r"\b(\d{6})\b", code_text).group(1)
    pending = {**with_contact, "notify_consent": True, "notify_subscription_id": sub_id}
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    slots, said = await run(
        ValidateRemindersForm(),
        tracker("webchat", pending, {"notify_code": wrong}, requested="notify_code"),
        domain,
    )
    assert slots["notify_code"] is None and "not right" in said[0]
    slots, _ = await run(
        ValidateRemindersForm(),
        tracker("webchat", pending, {"notify_code": code}, requested="notify_code"),
        domain,
    )
    assert slots["notify_code"] == "confirmed"
    with session_scope(assistant) as session:
        assert [s.uprn for s in subscriptions_for(session, NUMBER)] == [SEVEN_ELM_ROAD]


async def test_three_wrong_codes_end_the_sign_up(assistant, domain):
    with_contact = {**ADDRESS, "notify_contact": NUMBER}
    slots, _ = await run(
        ValidateRemindersForm(),
        tracker(
            "webchat",
            with_contact,
            {"notify_consent": True},
            text="yes",
            intent="affirm",
            requested="notify_consent",
        ),
        domain,
    )
    code = re.search(
        r"\b(\d{6})\b", sms_store.outbound_for(assistant, hash_identifier(NUMBER))[-1].body
    ).group(1)
    pending = {
        **with_contact,
        "notify_consent": True,
        "notify_subscription_id": slots["notify_subscription_id"],
    }
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(3):
        slots, said = await run(
            ValidateRemindersForm(),
            tracker("webchat", pending, {"notify_code": wrong}, requested="notify_code"),
            domain,
        )
    assert slots["requested_slot"] is None and "wrong 3 times" in said[0]
    slots, _ = await run(
        ValidateRemindersForm(),
        tracker("webchat", pending, {"notify_code": code}, requested="notify_code"),
        domain,
    )
    assert slots["notify_code"] is None


async def test_list_and_stop_by_text_keep_the_consent_record(assistant, domain):
    await run(
        ActionSubscribeReminders(),
        tracker("sms", {**ADDRESS, "notify_consent": True}, form=None),
        domain,
    )
    _, said = await run(ActionListSubscriptions(), tracker("sms", {}, form=None), domain)
    assert "7 Elm Road" in said[0]
    _, said = await run(ActionStopReminders(), tracker("sms", {}, form=None), domain)
    assert "stopped" in said[0]
    _, said = await run(ActionListSubscriptions(), tracker("sms", {}, form=None), domain)
    assert said == ["You don't get any bin-day texts from us."]
    with session_scope(assistant) as session:
        consent = session.scalars(select(NotificationConsent)).one()
        assert consent.withdrawn_at is not None and consent.withdrawn_how == "conversation"


async def test_cancelling_the_sign_up_forgets_the_answers(assistant, domain):
    slots, said = await run(
        ActionCancelRemindersForm(),
        tracker("sms", {**ADDRESS, "notify_consent": True}, intent="cancel"),
        domain,
    )
    assert slots["notify_consent"] is None and slots["address_uprn"] is None
    assert "You will not get any texts" in said[0]


class Mailbox:
    def __init__(self) -> None:
        self.bodies: list[str] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's name
        self.bodies.append(envelope.content.decode("utf-8", "replace"))
        return "250 OK"


async def test_on_the_web_an_email_is_confirmed_by_the_emailed_code_when_email_is_set_up(
    assistant, domain, monkeypatch
):
    from aiosmtpd.controller import Controller

    from bot.settings import get_settings
    from tests.channels.sms.sms_support import free_port

    _, said = await run(
        ValidateRemindersForm(),
        tracker(
            "webchat",
            ADDRESS,
            {"notify_contact": "resident@example.org"},
            requested="notify_contact",
        ),
        domain,
    )
    assert "can't send emails yet" in said[0]  # no SMTP server in the settings

    mailbox, port = Mailbox(), free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(port))
    get_settings.cache_clear()
    try:
        slots, _ = await run(
            ValidateRemindersForm(),
            tracker(
                "webchat",
                ADDRESS,
                {"notify_contact": " Resident@Example.org "},
                requested="notify_contact",
            ),
            domain,
        )
        assert slots["notify_contact"] == "resident@example.org"
        with_contact = {**ADDRESS, "notify_contact": "resident@example.org"}
        _, asked = await run(AskNotifyConsent(), tracker("webchat", with_contact), domain)
        assert "email you" in asked[0] and "link to stop" in asked[0]
        slots, _ = await run(
            ValidateRemindersForm(),
            tracker(
                "webchat",
                with_contact,
                {"notify_consent": True},
                text="yes",
                intent="affirm",
                requested="notify_consent",
            ),
            domain,
        )
        assert len(mailbox.bodies) == 1 and "unsubscribe" in mailbox.bodies[0]
        code = re.search(r"code is (\d{6})", mailbox.bodies[0]).group(1)
        pending = {
            **with_contact,
            "notify_consent": True,
            "notify_subscription_id": slots["notify_subscription_id"],
        }
        slots, _ = await run(
            ValidateRemindersForm(),
            tracker("webchat", pending, {"notify_code": code}, requested="notify_code"),
            domain,
        )
        assert slots["notify_code"] == "confirmed"
        with session_scope(assistant) as session:
            subs = subscriptions_for(session, "resident@example.org")
            assert [(s.contact_kind, s.uprn) for s in subs] == [("email", SEVEN_ELM_ROAD)]
    finally:
        controller.stop()
        get_settings.cache_clear()


async def test_codes_to_one_number_stop_at_the_daily_limit(assistant, domain):
    with_contact = {**ADDRESS, "notify_contact": NUMBER}
    for _ in range(3):
        slots, said = await run(
            ValidateRemindersForm(),
            tracker(
                "webchat",
                with_contact,
                {"notify_consent": True},
                text="yes",
                intent="affirm",
                requested="notify_consent",
            ),
            domain,
        )
        assert slots["notify_subscription_id"]
    slots, said = await run(
        ValidateRemindersForm(),
        tracker(
            "webchat",
            with_contact,
            {"notify_consent": True},
            text="yes",
            intent="affirm",
            requested="notify_consent",
        ),
        domain,
    )
    assert slots["requested_slot"] is None and "several codes" in said[0]
    assert len(sms_store.outbound_for(assistant, hash_identifier(NUMBER))) == 3


async def test_one_client_cannot_have_codes_texted_to_number_after_number(assistant, domain):
    """The daily limit per number does not stop one address texting codes to many numbers."""
    client = f"address-{uuid.uuid4().hex}"
    numbers = [f"+4477009001{n:02d}" for n in range(CODE_SENDS.limit + 1)]
    answers = []
    for number in numbers:
        slots, said = await run(
            ValidateRemindersForm(),
            tracker(
                "webchat",
                {**ADDRESS, "notify_contact": number},
                {"notify_consent": True},
                text="yes",
                intent="affirm",
                requested="notify_consent",
                client=client,
            ),
            domain,
        )
        answers.append(bool(slots.get("notify_subscription_id")))
    assert answers == [True] * CODE_SENDS.limit + [False]
    assert "several codes" in said[0]
    assert sms_store.outbound_for(assistant, hash_identifier(numbers[-1])) == []
    # Another address still can.
    slots, _ = await run(
        ValidateRemindersForm(),
        tracker(
            "webchat",
            {**ADDRESS, "notify_contact": numbers[-1]},
            {"notify_consent": True},
            text="yes",
            intent="affirm",
            requested="notify_consent",
            client="another",
        ),
        domain,
    )
    assert slots["notify_subscription_id"]


async def test_by_text_an_erased_number_is_not_subscribed_and_has_nothing_to_list(
    assistant, domain
):
    with session_scope(assistant) as session:
        session.execute(delete(SmsNumber))  # as erasure leaves it
    await run(
        ActionSubscribeReminders(),
        tracker("sms", {**ADDRESS, "notify_consent": True}, form=None),
        domain,
    )
    with session_scope(assistant) as session:
        assert subscriptions_for(session, NUMBER) == []
    _, said = await run(ActionListSubscriptions(), tracker("sms", {}, form=None), domain)
    assert said == [get_content().text("reminders_list_web")]
