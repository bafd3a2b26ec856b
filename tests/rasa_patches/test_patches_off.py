"""The patches can be left out, and are on a Rasa they were not written for; the assistant
answers the same either way.

The in-process tests compare each patched function with Rasa's own (the other files
here); these run the real thing: `rasa` in a fresh interpreter for what `install` does,
and a real `rasa run` with our channels, patches on and off, for a whole conversation.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests

from bot.demo_data import prepare_demo_database
from tests import rasa_api
from tests.channels.handoff_stack import MODEL, handoff_stack

ROOT = Path(__file__).resolve().parents[2]
# The environment without our settings, so that each test sets its own.
BASE_ENV = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}

INSTALL = """
import json, logging, sys
logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="LOG %(message)s")
import rasa
{before}
from rasa.core.actions.action import RemoteAction
from rasa.core.tracker_store import SQLTrackerStore
import rasa_patches
from bot.settings import get_settings
installed = rasa_patches.install(get_settings())
print(json.dumps({{
    "installed": installed,
    "check": RemoteAction._validate_action_result.__code__.co_filename,
    "save": SQLTrackerStore.save.__code__.co_filename,
}}))
"""


def install_in_a_fresh_rasa(env: dict[str, str], before: str = "") -> tuple[dict, list[str]]:
    """What `install` did in a fresh interpreter, and what it logged."""
    done = subprocess.run(
        [sys.executable, "-c", INSTALL.format(before=before)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
        env={**BASE_ENV, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3", **env},
    )
    lines = done.stdout.strip().splitlines()
    logged = [line[4:] for line in lines if line.startswith("LOG ")]
    return json.loads(lines[-1]), logged


def test_rasa_patches_off_installs_none_and_says_so() -> None:
    found, logged = install_in_a_fresh_rasa({"RASA_PATCHES": "off"})
    assert found["installed"] == []
    assert found["check"].endswith("rasa/core/actions/action.py")  # Rasa's own
    assert found["save"].endswith("rasa/core/tracker_store.py")
    assert [line for line in logged if "Rasa patch" in line] == [
        "Rasa patches: off (RASA_PATCHES=off); Rasa runs as released."
    ]


def test_on_another_rasa_version_none_is_installed_and_the_warning_names_it() -> None:
    found, logged = install_in_a_fresh_rasa({}, before='rasa.__version__ = "3.6.22"')
    assert found["installed"] == []
    assert found["save"].endswith("rasa/core/tracker_store.py")
    warning = [line for line in logged if "Rasa patch" in line]
    assert len(warning) == 1
    assert "none installed (Rasa is 3.6.22; the patches were written for 3.6.21)" in warning[0]


def test_by_default_each_patch_is_installed_and_logged_by_the_attribute_it_replaces() -> None:
    found, logged = install_in_a_fresh_rasa({})
    assert found["check"].endswith("rasa_patches/action_responses.py")
    assert found["save"].endswith("rasa_patches/tracker_store.py")
    assert [line for line in logged if line.startswith("Rasa patch installed: ")] == [
        f"Rasa patch installed: {target}" for target in found["installed"]
    ]
    assert "rasa.core.tracker_store.SQLTrackerStore._retrieve" in found["installed"]
    assert len(found["installed"]) == 9


def test_a_changed_rasa_signature_is_refused_for_patches_and_stops_a_hook() -> None:
    from rasa_patches import Patch, install_hook, mismatch

    class Processor:  # stands in for a Rasa class whose method gained a parameter
        def _run_prediction_loop(self, output_channel, tracker, extra):  # noqa: ANN001
            return None

    changed = Patch(
        Processor, "_run_prediction_loop", ("self", "output_channel", "tracker"), lambda f: f
    )
    assert "the patch was written for ('self', 'output_channel', 'tracker')" in str(
        mismatch((changed,))
    )
    with pytest.raises(RuntimeError, match="cannot take our .* hook"):
        install_hook(changed)
    gone = Patch(Processor, "_handle_message", ("self",), lambda f: f)
    assert "is not in this Rasa" in str(mismatch((gone,)))


# A conversation through custom actions, a form, the rules, slots and a fallback.
SCRIPT = (
    "hello",
    "when is my bin day",
    "OB2 5JQ",
    "7",
    "I want to report a pothole",
    "outside 14 High Street",
    "cancel",
    "how do I pay my council tax",
    "thanks bye",
)


def _converse(base: str) -> tuple[list[list[str]], list[tuple[str, str]]]:
    """Each reply of the assistant to SCRIPT, and the conversation's events as Rasa stored
    them (type and name or text), read back through Rasa's tracker store."""
    sender = f"rest:patches-{uuid.uuid4().hex[:8]}"
    replies = []
    for text in SCRIPT:
        answer = requests.post(
            f"{base}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60
        )
        answer.raise_for_status()
        replies.append([message.get("text", "") for message in answer.json()])
    tracker = requests.get(
        rasa_api.url(base, f"/conversations/{sender}/tracker"), timeout=30
    ).json()
    events = [
        (event["event"], str(event.get("name") or event.get("text") or event.get("value") or ""))
        for event in tracker["events"]
    ]
    return replies, events


@pytest.mark.skipif(not MODEL.exists(), reason="no trained model (make train)")
def test_a_rasa_server_answers_the_same_with_the_patches_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = {}
    for mode in ("on", "off"):
        monkeypatch.setenv("RASA_PATCHES", mode)
        workdir = tmp_path / mode
        workdir.mkdir()
        database_url = f"sqlite:///{workdir / 'council.db'}"
        prepare_demo_database(database_url)
        with handoff_stack(workdir, database_url) as [base]:
            seen[mode] = _converse(base)
        log = (workdir / "servers.log").read_text(errors="replace")
        installed = re.findall(r"Rasa patch installed: (\S+)", log)
        assert len(installed) == (9 if mode == "on" else 0), mode
        assert ("Rasa patches: off" in log) == (mode == "off")
        assert "Rasa hook installed: rasa.core.processor.MessageProcessor._run_action" in log
    on_replies, on_events = seen["on"]
    off_replies, off_events = seen["off"]
    assert any("Next collections for 7 Elm Road" in text for text in on_replies[3])
    assert on_replies == off_replies
    assert on_events == off_events
