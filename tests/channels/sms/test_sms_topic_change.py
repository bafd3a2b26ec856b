"""By text, with the trained model: "when is my bin day?" in the middle of a fly-tipping
report is answered, not stored as the place (as testers found on the real servers)."""

from __future__ import annotations

import json
import time
import urllib.request
from typing import Any

import pytest

from tests.channels.sms.test_sms_with_model import MODEL, _get
from tests.channels.sms.test_sms_with_model import assistant as assistant  # the module's stack

RESIDENT = "07700900778"

pytestmark = [
    pytest.mark.model,
    pytest.mark.skipif(not MODEL.exists(), reason="no trained model: run make train"),
]


def text(base: str, body: str) -> None:
    request = urllib.request.Request(
        f"{base}/webhooks/sms/simulator",
        data=json.dumps({"from": RESIDENT, "body": body}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 202


def replies_after(base: str, after: int, seconds: float = 60) -> list[dict[str, Any]]:
    """Every text sent back after id `after`, once the assistant's turn is over."""
    url = f"{base}/webhooks/sms/simulator/outbox?number={RESIDENT}&after={after}"
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        sent = [m for m in _get(url)["messages"] if m["status"] == "sent"]
        if sent:
            time.sleep(2)  # a turn may send more than one text
            return [m for m in _get(url)["messages"] if m["status"] == "sent"]
        time.sleep(0.5)
    raise AssertionError("no reply")


def test_a_bin_day_question_by_text_is_not_taken_for_the_fly_tipping_place(
    assistant: str,
) -> None:
    text(assistant, "someone has dumped rubbish in our lane")
    asked = replies_after(assistant, 0)
    assert "Where is it?" in asked[-1]["body"]

    text(assistant, "when is my bin day?")
    aside = replies_after(assistant, asked[-1]["id"])
    bodies = " ".join(m["body"] for m in aside)
    assert "once we've finished this" in bodies
    assert "Where is it?" in bodies  # the same question again

    text(assistant, "Mill Lane by the postbox")
    next_question = replies_after(assistant, aside[-1]["id"])
    assert "What has been dumped" in next_question[-1]["body"]
