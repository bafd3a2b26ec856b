"""The SMS simulator: a page, a JSON endpoint to text from a made-up number, the outbox."""

from __future__ import annotations

import aiohttp
from sqlalchemy import select

from bot import clock
from bot.db.notifications import NotificationSubscription
from bot.db.session import session_scope
from bot.services.sms_segments import count_segments
from tests.channels.sms.sms_support import RecordingBot, conversation_of


async def text(http: aiohttp.ClientSession, app, sender: str, body: str):  # type: ignore[no-untyped-def]
    async with http.post(app.url("simulator"), json={"from": sender, "body": body}) as response:
        return response.status, await response.json()


async def inbox(http: aiohttp.ClientSession, app, number: str, after: int = 0):  # type: ignore[no-untyped-def]
    params = {"number": number, "after": str(after)}
    async with http.get(app.url("simulator/outbox"), params=params) as response:
        assert response.status == 200
        return (await response.json())["messages"]


async def test_the_page_is_a_labelled_form_with_a_live_message_log(sms_server, http) -> None:
    app = await sms_server("outbox")
    async with http.get(app.url("simulator")) as response:
        assert response.status == 200
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        page = await response.text()
    assert '<label for="from">' in page and 'id="from"' in page
    assert '<label for="body">' in page and 'id="body"' in page
    assert 'role="log"' in page and 'aria-live="polite"' in page
    assert 'role="alert"' in page
    async with http.get(app.url("simulator/app.js")) as response:
        assert response.status == 200
        assert "javascript" in response.content_type


async def test_a_text_from_a_made_up_number_gets_an_sms_shaped_reply(
    sms_server, http, recording_bot: RecordingBot
) -> None:
    app = await sms_server("outbox")
    status, body = await text(http, app, "07700 900001", "bin day SW1A 1AA")
    assert (status, body) == (202, {"status": "accepted", "number": "+447700900001"})
    await app.settle()
    assert recording_bot.received[0].sender_id == conversation_of("+447700900001")
    [reply] = await inbox(http, app, "+447700900001")
    assert reply["body"] == "You said: bin day SW1A 1AA"
    assert (reply["encoding"], reply["segments"]) == ("GSM-7", 1)
    assert reply["segments"] == count_segments(reply["body"]).segments
    assert await inbox(http, app, "07700900001", after=reply["id"]) == []
    assert await inbox(http, app, "07700900002") == []


async def test_after_stop_the_simulated_phone_receives_nothing_more(
    sms_server, http, recording_bot: RecordingBot
) -> None:
    app = await sms_server("outbox")
    await text(http, app, "07700900003", "STOP")
    await app.settle()
    [confirmation] = await inbox(http, app, "07700900003")
    assert "no more texts" in confirmation["body"]
    await text(http, app, "07700900003", "bin day SW1A 1AA")
    await text(http, app, "07700900003", "HELP")
    await app.settle()
    assert await inbox(http, app, "07700900003", after=confirmation["id"]) == []
    assert recording_bot.received == []


async def test_bad_simulator_requests_are_refused_with_a_clear_error(sms_server, http) -> None:
    app = await sms_server("outbox")
    for payload, message in [
        ({"from": "not a phone", "body": "hi"}, "Enter a phone number"),
        ({"from": "07700900001", "body": "   "}, "Enter a message"),
        ({"from": "07700900001", "body": "x" * 1601}, "1600 characters or fewer"),
        ({"from": "07700900001"}, "Enter a message"),
    ]:
        async with http.post(app.url("simulator"), json=payload) as response:
            assert response.status == 400
            assert message in (await response.json())["error"]
    async with http.post(
        app.url("simulator"), data={"from": "07700900001", "body": "hi"}
    ) as response:
        assert response.status == 415
    async with http.get(
        app.url("simulator/outbox"), params={"number": "07700900001", "after": "-1"}
    ) as response:
        assert response.status == 400


async def test_the_simulator_is_off_when_a_real_provider_is_used(sms_server, http) -> None:
    app = await sms_server("twilio")
    async with http.get(app.url("simulator")) as response:
        assert response.status == 404
    async with http.post(app.url("simulator"), json={"from": "07700900001", "body": "hi"}) as r:
        assert r.status == 404


async def test_stop_withdraws_every_reminder_subscription_with_the_withdrawal_recorded(
    sms_server, http, migrated_engine
) -> None:
    from bot.services.notification_subscriptions import subscribe, subscriptions_for

    with session_scope(migrated_engine) as session:
        subscribe(
            session,
            contact_kind="sms",
            contact="+447700900004",
            uprn="100090000120",
            channel="sms",
            wording="Bin reminders by text",
            now=clock.now(),
        )
    app = await sms_server("outbox")
    await text(http, app, "07700900004", "STOP")
    await app.settle()
    with session_scope(migrated_engine) as session:
        live = subscriptions_for(session, "+447700900004")
        stopped = session.execute(
            select(NotificationSubscription.status, NotificationSubscription.stopped_at)
        ).all()
    assert live == []
    assert [(status, stopped_at is not None) for status, stopped_at in stopped] == [
        ("stopped", True)
    ]
