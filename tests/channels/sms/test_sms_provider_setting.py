"""SMS_PROVIDER names the provider; credentials.yml can no longer quietly override it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.settings import Settings
from channels.sms.channel import ConflictingSmsProvider, provider_from

NOTIFY = replace(Settings(), sms_provider="notify")


def test_the_environment_names_the_provider():
    assert provider_from({}, NOTIFY) == "notify"
    assert provider_from(None, Settings()) == "outbox"


def test_an_older_credentials_file_that_agrees_still_starts():
    assert provider_from({"provider": "notify"}, NOTIFY) == "notify"


def test_credentials_naming_another_provider_stop_the_server_saying_why():
    with pytest.raises(ConflictingSmsProvider, match="'outbox' but SMS_PROVIDER is 'notify'"):
        provider_from({"provider": "outbox"}, NOTIFY)
