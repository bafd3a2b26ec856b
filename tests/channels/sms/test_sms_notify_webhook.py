"""GOV.UK Notify's received-text callback: bearer token, JSON, replies through Notify."""

from __future__ import annotations

import uuid

import aiohttp
import pytest

from tests.channels.sms.sms_support import (
    NOTIFY_TOKEN,
    ProviderApi,
    RecordingBot,
    conversation_of,
)


def callback(body: str, message_id: str | None = None) -> dict[str, str]:
    return {
        "id": message_id or str(uuid.uuid4()),
        "source_number": "447700900001",  # Notify sends numbers without the +
        "destination_number": "07700900999",
        "message": body,
        "date_received": "2026-11-24 20:00:00.000000",
    }


async def post(http: aiohttp.ClientSession, app, payload, token: str | None = NOTIFY_TOKEN):  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    async with http.post(app.url("notify"), json=payload, headers=headers) as response:
        if response.content_type == "application/json":
            return response.status, await response.json()
        return response.status, await response.text()


async def test_a_received_text_reaches_the_assistant_and_the_reply_goes_through_notify(
    sms_server, http, recording_bot: RecordingBot, provider_api: ProviderApi
) -> None:
    app = await sms_server("notify")
    status, body = await post(http, app, callback("bin day SW1A 1AA"))
    assert (status, body) == (200, {"status": "accepted"})
    await app.settle()
    assert [(m.sender_id, m.text) for m in recording_bot.received] == [
        (conversation_of("+447700900001"), "bin day SW1A 1AA")
    ]
    [request] = provider_api.requests
    assert request["path"] == "/v2/notifications/sms"
    assert request["json"]["phone_number"] == "+447700900001"
    assert request["json"]["personalisation"] == {"body": "You said: bin day SW1A 1AA"}


@pytest.mark.parametrize("token", [None, "wrong-token", ""])
async def test_a_callback_without_the_right_token_is_refused(
    sms_server, http, recording_bot: RecordingBot, token: str | None
) -> None:
    app = await sms_server("notify")
    status, _ = await post(http, app, callback("hello"), token=token)
    assert status == 403
    await app.settle()
    assert recording_bot.received == []


@pytest.mark.parametrize(
    "payload",
    [
        ["not", "an", "object"],
        {**callback("hello"), "id": "1; drop table"},
        {**callback("hello"), "source_number": "call me"},
        {**callback("hello"), "message": "x" * 1601},
        {**callback("hello"), "message": None},
    ],
)
async def test_a_malformed_callback_is_refused_with_400(
    sms_server, http, recording_bot: RecordingBot, payload: object
) -> None:
    app = await sms_server("notify")
    status, _ = await post(http, app, payload)
    assert status == 400
    await app.settle()
    assert recording_bot.received == []


async def test_a_repeated_callback_is_processed_once(
    sms_server, http, recording_bot: RecordingBot
) -> None:
    app = await sms_server("notify")
    payload = callback("hello")
    results = [await post(http, app, payload) for _ in range(3)]
    assert [body["status"] for _, body in results] == ["accepted", "duplicate", "duplicate"]
    await app.settle()
    assert recording_bot.texts == ["hello"]


async def test_other_providers_routes_are_not_served(sms_server, http) -> None:
    app = await sms_server("notify")
    async with http.post(app.url("twilio"), data={"Body": "hi"}) as response:
        assert response.status == 404
    async with http.get(app.url("simulator")) as response:
        assert response.status == 404
