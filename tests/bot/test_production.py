"""Production mode refuses the settings a council could get wrong (bot/production.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.production import StartContext, UnsafeSettings, refuse_unsafe_start, unsafe_settings
from bot.settings import Settings

SECRET = "s" * 40
SAFE = Settings(
    app_env="production",
    identifier_hash_secret=SECRET,
    action_server_secret="a" * 40,
    staff_secure_cookies=True,
    trusted_proxies="10.0.0.5",
    sms_provider="notify",
    sms_public_base_url="https://chat.council.example",
    notify_api_key="key",
    notify_inbound_token="token",
    notify_sms_template_id="template",
)
SHIPPED_CHANNELS = {
    "channels.web.channel.WebChatInput": {},
    "channels.sms.channel.SmsInput": {},
    "channels.staff.StaffQueueInput": {},
    "channels.notifications.NotificationScheduler": {},
}
SAFE_START = StartContext(channels=SHIPPED_CHANNELS, rasa_args=("rasa", "run"))


def problems(settings: Settings = SAFE, **context: object) -> list[str]:
    return unsafe_settings(settings, replace(SAFE_START, **context))  # type: ignore[arg-type]


def test_safe_production_settings_start():
    assert problems() == []


def test_the_demo_starts_with_every_default():
    assert (
        unsafe_settings(
            Settings(), StartContext(channels={"rest": None}, rasa_args=("--enable-api",))
        )
        == []
    )


@pytest.mark.parametrize("secret", ["", Settings().identifier_hash_secret, "short"])
def test_a_missing_default_or_short_hash_secret_is_refused(secret: str):
    [problem] = problems(replace(SAFE, identifier_hash_secret=secret))
    assert problem.startswith("IDENTIFIER_HASH_SECRET")


def test_the_action_server_needs_its_secret():
    [problem] = problems(replace(SAFE, action_server_secret=""))
    assert problem == "ACTION_SERVER_SECRET is not set."


@pytest.mark.parametrize("channel", ["rest", "channels.rest_handoff.RestWithHandoffInput"])
def test_the_rest_channel_is_refused(channel: str):
    [problem] = problems(channels={**SHIPPED_CHANNELS, channel: None})
    assert "REST channel" in problem


def test_the_outbox_and_its_public_simulator_are_refused():
    [problem] = problems(replace(SAFE, sms_provider="outbox"))
    assert "outbox" in problem


def test_credentials_naming_the_outbox_are_refused_even_when_the_environment_says_notify():
    channels = {**SHIPPED_CHANNELS, "channels.sms.channel.SmsInput": {"provider": "outbox"}}
    [problem] = problems(channels=channels)
    assert "'outbox' but SMS_PROVIDER is 'notify'" in problem


def test_a_provider_without_its_secrets_is_refused():
    found = problems(replace(SAFE, sms_provider="twilio"))
    assert found == [
        "TWILIO_ACCOUNT_SID is not set (SMS_PROVIDER=twilio).",
        "TWILIO_AUTH_TOKEN is not set (SMS_PROVIDER=twilio).",
        "TWILIO_FROM_NUMBER is not set (SMS_PROVIDER=twilio).",
    ]


def test_no_sms_channel_needs_no_sms_settings():
    channels = dict(SHIPPED_CHANNELS)
    del channels["channels.sms.channel.SmsInput"]
    assert problems(replace(SAFE, sms_provider="outbox"), channels=channels) == []


def test_insecure_cookies_and_no_trusted_proxy_are_refused():
    found = problems(replace(SAFE, staff_secure_cookies=False, trusted_proxies=""))
    assert [p.split()[0] for p in found] == ["STAFF_SECURE_COOKIES", "TRUSTED_PROXIES"]


@pytest.mark.parametrize(
    "args", [("rasa", "run", "--enable-api"), ("rasa", "run", "--enable-api", "--cors", "*")]
)
def test_the_rasa_api_without_a_token_is_refused(args: tuple[str, ...]):
    [problem] = problems(rasa_args=args)
    assert "--enable-api" in problem


@pytest.mark.parametrize(
    "args",
    [
        ("rasa", "run", "--enable-api", "--auth-token", "t" * 40),
        ("rasa", "run", "--enable-api", "--jwt-secret=abc"),
    ],
)
def test_the_rasa_api_with_a_token_or_jwt_is_allowed(args: tuple[str, ...]):
    assert problems(rasa_args=args) == []


def test_the_demo_accounts_are_refused():
    [problem] = problems(demo_accounts_present=True)
    assert "remove-demo" in problem


def test_every_problem_is_listed_in_the_refusal():
    with pytest.raises(UnsafeSettings) as refused:
        refuse_unsafe_start("Rasa server", Settings(app_env="production"), SAFE_START)
    message = str(refused.value)
    for name in (
        "IDENTIFIER_HASH_SECRET",
        "ACTION_SERVER_SECRET",
        "TRUSTED_PROXIES",
        "SMS_PROVIDER is 'outbox'",
    ):
        assert name in message
    assert refused.value.code == message  # SystemExit: the message is printed, exit status 1


def test_a_trusted_proxy_that_is_not_an_address_is_refused():
    [problem] = problems(replace(SAFE, trusted_proxies="10.0.0.5, proxy.council.local"))
    assert problem.endswith("proxy.council.local.")
