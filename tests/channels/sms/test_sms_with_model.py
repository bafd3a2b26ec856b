"""End to end with the trained model: `rasa run` with the SMS channel and the action server,
texted through the simulator exactly as a newcomer would after `make run`.

Needs models/council.tar.gz (`make train`); skipped without it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.bench.stack import stop_servers
from bot.demo_data import prepare_demo_database
from bot.services.sms_segments import count_segments
from tests.channels.sms.sms_support import free_port

PROJECT_ROOT = Path(__file__).resolve().parents[3]
MODEL = PROJECT_ROOT / "models" / "council.tar.gz"
RASA = PROJECT_ROOT / ".venv" / "bin" / "rasa"
RESIDENT = "07700900777"

pytestmark = [
    pytest.mark.model,
    pytest.mark.skipif(not MODEL.exists(), reason="no trained model: run make train"),
]


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def _text(base: str, body: str) -> None:
    request = urllib.request.Request(
        f"{base}/webhooks/sms/simulator",
        data=json.dumps({"from": RESIDENT, "body": body}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 202


def _replies(base: str, after: int) -> list[dict[str, Any]]:
    url = f"{base}/webhooks/sms/simulator/outbox?number={RESIDENT}&after={after}"
    return [m for m in _get(url)["messages"] if m["status"] == "sent"]


def _wait_for_reply(base: str, after: int, seconds: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        replies = _replies(base, after)
        if replies:
            return replies[0]
        time.sleep(0.5)
    raise AssertionError("no reply")


def _wait_until_up(url: str, process: subprocess.Popen[bytes], seconds: float = 240) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{url}: the server stopped")
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(1)
    raise AssertionError(f"{url} did not come up")


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`rasa run` with the SMS channel (outbox) and the action server, on loopback."""
    folder = tmp_path_factory.mktemp("sms_e2e")
    database_url = f"sqlite:///{folder / 'council.db'}"
    prepare_demo_database(database_url)
    rasa_port, action_port = free_port(), free_port()
    (folder / "endpoints.yml").write_text(
        f"action_endpoint:\n  url: http://127.0.0.1:{action_port}/webhook\n"
    )
    (folder / "credentials.yml").write_text("channels.sms.channel.SmsInput:\n  provider: outbox\n")
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}/webhook",
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "3",
    }
    logs = [open(folder / "actions.log", "wb"), open(folder / "rasa.log", "wb")]  # noqa: SIM115
    actions = subprocess.Popen(
        [str(RASA), "run", "actions", "--actions", "actions", "--port", str(action_port)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=logs[0],
        stderr=subprocess.STDOUT,
    )
    rasa = subprocess.Popen(
        [
            str(RASA),
            "run",
            "--model",
            str(MODEL),
            "--endpoints",
            str(folder / "endpoints.yml"),
            "--credentials",
            str(folder / "credentials.yml"),
            "--port",
            str(rasa_port),
            "--interface",
            "127.0.0.1",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=logs[1],
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{rasa_port}"
    try:
        _wait_until_up(f"http://127.0.0.1:{action_port}/health", actions)
        _wait_until_up(f"{base}/", rasa)
        yield base
    finally:
        stop_servers(rasa, actions)
        for log in logs:
            log.close()


def test_a_bin_day_question_gets_an_sms_shaped_answer_and_stop_ends_the_texts(
    assistant: str,
) -> None:
    _text(assistant, "when is my bin day? OB1 1AA")
    first = _wait_for_reply(assistant, 0)
    info = count_segments(first["body"])
    assert info.segments <= 3
    assert "{" not in first["body"] and "<" not in first["body"]

    _text(assistant, "4")  # the house number, when asked; or option 4 when offered
    answer = _wait_for_reply(assistant, first["id"])
    assert count_segments(answer["body"]).segments <= 3
    assert re.search(r"(Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day", answer["body"]), answer["body"]

    _text(assistant, "HELP")
    help_reply = _wait_for_reply(assistant, answer["id"])
    assert "01632 960000" in help_reply["body"]

    _text(assistant, "STOP")
    confirmation = _wait_for_reply(assistant, help_reply["id"])
    assert "no more texts" in confirmation["body"]
    _text(assistant, "when is my bin day? OB1 1AA")
    time.sleep(8)
    assert _replies(assistant, confirmation["id"]) == []
