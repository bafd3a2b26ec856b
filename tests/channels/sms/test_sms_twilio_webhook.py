"""The Twilio webhook, signed exactly as Twilio signs it, against a real server on loopback."""

from __future__ import annotations

import asyncio
import base64
import uuid

import aiohttp
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from twilio.request_validator import RequestValidator

from bot.db.session import session_scope
from bot.db.sms import SmsOutbound
from tests.channels.sms.sms_support import (
    PUBLIC_BASE,
    TWILIO_SID,
    TWILIO_TOKEN,
    ProviderApi,
    RecordingBot,
    conversation_of,
)

RESIDENT = "+447700900001"
PUBLIC_URL = f"{PUBLIC_BASE}/webhooks/sms/twilio"


def twilio_params(body: str, sid: str | None = None, sender: str = RESIDENT) -> dict[str, str]:
    return {
        "MessageSid": sid or "SM" + uuid.uuid4().hex,
        "AccountSid": TWILIO_SID,
        "From": sender,
        "To": "+447700900999",
        "Body": body,
        "NumMedia": "0",
    }


def sign(params: dict[str, str], url: str = PUBLIC_URL, token: str = TWILIO_TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, params)


async def post(
    http: aiohttp.ClientSession, app, params: dict[str, str], signature: str | None = ""
) -> aiohttp.ClientResponse:  # type: ignore[no-untyped-def]
    headers = {}
    if signature is not None:
        headers["X-Twilio-Signature"] = signature or sign(params)
    async with http.post(app.url("twilio"), data=params, headers=headers) as response:
        await response.read()
        return response


def outbound_count(engine: Engine) -> int:
    with session_scope(engine) as session:
        return int(session.scalar(select(func.count()).select_from(SmsOutbound)) or 0)


def sent_bodies(api: ProviderApi) -> list[str]:
    return [request["form"]["Body"] for request in api.requests]


async def test_a_signed_text_reaches_the_assistant_and_the_reply_goes_out_through_twilio(
    sms_server, http, recording_bot: RecordingBot, provider_api: ProviderApi
) -> None:
    app = await sms_server("twilio")
    response = await post(http, app, twilio_params("bin day SW1A 1AA"))
    assert response.status == 200
    assert response.content_type == "text/xml"
    await app.settle()

    assert recording_bot.texts == ["bin day SW1A 1AA"]
    message = recording_bot.received[0]
    assert (message.sender_id, message.input_channel) == (conversation_of(RESIDENT), "sms")
    [request] = provider_api.requests
    assert request["path"] == f"/2010-04-01/Accounts/{TWILIO_SID}/Messages.json"
    assert request["form"] == {
        "To": RESIDENT,
        "From": "+447700900999",
        "Body": "You said: bin day SW1A 1AA",
    }
    expected_auth = base64.b64encode(f"{TWILIO_SID}:{TWILIO_TOKEN}".encode()).decode()
    assert request["headers"]["Authorization"] == f"Basic {expected_auth}"


@pytest.mark.parametrize(
    "forge",
    ["missing", "wrong token", "signed for another address", "body changed after signing"],
)
async def test_unsigned_or_wrongly_signed_requests_are_refused_and_never_reach_the_assistant(
    sms_server, http, recording_bot: RecordingBot, migrated_engine: Engine, forge: str
) -> None:
    app = await sms_server("twilio")
    params = twilio_params("bin day SW1A 1AA")
    signature: str | None
    if forge == "missing":
        signature = None
    elif forge == "wrong token":
        signature = sign(params, token="not-the-token")
    elif forge == "signed for another address":
        signature = sign(params, url=app.url("twilio"))
    else:
        signature = sign(params)
        params = {**params, "Body": "something else"}
    response = await post(http, app, params, signature)
    assert response.status == 403
    await app.settle()
    assert recording_bot.received == []
    assert outbound_count(migrated_engine) == 0


async def test_another_accounts_message_is_refused(sms_server, http, recording_bot) -> None:
    app = await sms_server("twilio")
    params = {**twilio_params("hello"), "AccountSid": "AC" + "9" * 32}
    assert (await post(http, app, params)).status == 403
    await app.settle()
    assert recording_bot.received == []


@pytest.mark.parametrize(
    "change",
    [{"MessageSid": "SM123"}, {"From": "not a number"}, {"Body": "x" * 1601}],
)
async def test_signed_requests_with_bad_fields_are_refused_with_400(
    sms_server, http, recording_bot: RecordingBot, change: dict[str, str]
) -> None:
    app = await sms_server("twilio")
    params = {**twilio_params("hello"), **change}
    assert (await post(http, app, params)).status == 400
    await app.settle()
    assert recording_bot.received == []


async def test_replayed_and_late_webhooks_are_processed_once_each_in_arrival_order(
    sms_server, http, recording_bot: RecordingBot, provider_api: ProviderApi
) -> None:
    app = await sms_server("twilio")
    first = twilio_params("first")
    second = twilio_params("second")
    # The provider retries `first` at once, then again late, after `second`.
    responses = await asyncio.gather(*(post(http, app, first) for _ in range(3)))
    responses.append(await post(http, app, second))
    responses.append(await post(http, app, first))
    assert [r.status for r in responses] == [200] * 5
    await app.settle()
    assert recording_bot.texts == ["first", "second"]
    assert sent_bodies(provider_api) == ["You said: first", "You said: second"]


async def test_texts_from_one_number_are_processed_one_at_a_time_in_order(
    sms_server, http, recording_bot: RecordingBot
) -> None:
    app = await sms_server("twilio")
    recording_bot.delay = 0.15
    for text in ("one", "two", "three"):
        assert (await post(http, app, twilio_params(text))).status == 200
    await app.settle()
    assert recording_bot.events == [
        ("start", "one"),
        ("end", "one"),
        ("start", "two"),
        ("end", "two"),
        ("start", "three"),
        ("end", "three"),
    ]


async def test_a_flood_from_one_number_is_cut_off_and_told_once(
    sms_server, http, recording_bot: RecordingBot, provider_api: ProviderApi
) -> None:
    app = await sms_server("twilio", sms_rate_limit_per_minute=5)
    for index in range(12):
        assert (await post(http, app, twilio_params(f"flood {index}"))).status == 200
    assert (await post(http, app, twilio_params("hello", sender="+447700900002"))).status == 200
    await app.settle()
    by_number = [(m.sender_id, m.text) for m in recording_bot.received]
    flooder = conversation_of(RESIDENT)
    assert [text for number, text in by_number if number == flooder] == [
        f"flood {index}" for index in range(5)
    ]
    assert [text for number, text in by_number if number != flooder] == ["hello"]
    to_flooder = [r["form"]["Body"] for r in provider_api.requests if r["form"]["To"] == RESIDENT]
    assert len(to_flooder) == 6
    assert sum("sent a lot of texts" in body for body in to_flooder) == 1


async def test_stop_ends_all_texts_and_start_turns_them_back_on(
    sms_server, http, recording_bot: RecordingBot, provider_api: ProviderApi
) -> None:
    app = await sms_server("twilio")
    await post(http, app, twilio_params("STOP"))
    await post(http, app, twilio_params("bin day SW1A 1AA"))
    await post(http, app, twilio_params("stop"))
    await app.settle()
    assert recording_bot.received == []
    [confirmation] = sent_bodies(provider_api)
    assert "no more texts" in confirmation
    assert "START" in confirmation

    # Anything pushed to the number now (a staff reply) is held back, and recorded.
    await app.channel.get_output_channel().send_response(RESIDENT, {"text": "A staff reply"})
    assert len(provider_api.requests) == 1

    await post(http, app, twilio_params("START"))
    await post(http, app, twilio_params("hello again"))
    await app.settle()
    assert recording_bot.texts == ["hello again"]
    assert sent_bodies(provider_api)[1:] == [
        "Texts from Oakbridge Council are on again. Ask your question, or text HELP.",
        "You said: hello again",
    ]


async def test_help_says_what_the_service_is_and_how_to_reach_the_council(
    sms_server, http, recording_bot: RecordingBot, provider_api: ProviderApi
) -> None:
    app = await sms_server("twilio")
    await post(http, app, twilio_params("HELP"))
    await app.settle()
    assert recording_bot.received == []
    [text] = sent_bodies(provider_api)
    assert "Oakbridge Council" in text
    assert "01632 960000" in text


async def test_a_number_reply_picks_the_option_offered(
    sms_server, http, recording_bot: RecordingBot, provider_api: ProviderApi
) -> None:
    app = await sms_server("twilio")
    await post(http, app, twilio_params("menu"))
    await app.settle()
    assert sent_bodies(provider_api) == [
        "What is it about?\n\nReply with a number:\n1: Bins\n2: Council Tax"
    ]
    await post(http, app, twilio_params("2"))
    await app.settle()
    assert recording_bot.texts == ["menu", "/council_tax_pay"]

    # The options are used up once the assistant has answered without new ones.
    await post(http, app, twilio_params("1"))
    await app.settle()
    assert recording_bot.texts[-1] == "1"


async def test_a_number_that_picks_no_option_goes_to_the_assistant_as_it_is(
    sms_server, http, recording_bot: RecordingBot
) -> None:
    # "7" after two options may be a house number: the assistant decides what it means.
    app = await sms_server("twilio")
    await post(http, app, twilio_params("menu"))
    await post(http, app, twilio_params("7"))
    await app.settle()
    assert recording_bot.texts == ["menu", "7"]


async def test_when_the_assistant_fails_the_resident_is_told_plainly(
    sms_server, http, recording_bot: RecordingBot, provider_api: ProviderApi
) -> None:
    app = await sms_server("twilio")
    recording_bot.fail = True
    await post(http, app, twilio_params("bin day"))
    await app.settle()
    [text] = sent_bodies(provider_api)
    assert text.startswith("Sorry, something went wrong")


async def test_a_blank_text_is_not_passed_to_the_assistant(
    sms_server, http, recording_bot: RecordingBot, provider_api: ProviderApi
) -> None:
    app = await sms_server("twilio")
    assert (await post(http, app, twilio_params("   "))).status == 200
    await app.settle()
    assert recording_bot.received == []
    assert provider_api.requests == []


async def test_two_servers_sharing_a_database_process_a_retried_message_once(
    sms_server, http, recording_bot: RecordingBot, provider_api: ProviderApi
) -> None:
    first_server, second_server = await sms_server("twilio"), await sms_server("twilio")
    params = twilio_params("bin day SW1A 1AA")
    responses = await asyncio.gather(
        post(http, first_server, params), post(http, second_server, params)
    )
    assert [r.status for r in responses] == [200, 200]
    await first_server.settle()
    await second_server.settle()
    assert recording_bot.texts == ["bin day SW1A 1AA"]
    assert len(provider_api.requests) == 1


async def test_control_characters_in_a_signed_text_never_reach_the_assistant(
    sms_server, http, recording_bot: RecordingBot, provider_api: ProviderApi
) -> None:
    app = await sms_server("twilio")
    response = await post(http, app, twilio_params("bin\x00 day\x07\r\nSW1A\t1AA\x1b"))
    assert response.status == 200
    await app.settle()

    assert recording_bot.texts == ["bin day\nSW1A\t1AA"]
    # Texts go out with tabs as spaces (GSM has no tab).
    assert sent_bodies(provider_api) == ["You said: bin day\nSW1A 1AA"]
