"""`bot/` is the project's own package: it never imports `channels/` or Rasa.

Each check runs in a fresh interpreter, so what one import pulls in is not hidden by
another test's imports. The Rasa glue still inside `bot/` is listed and excluded: the
custom NLU components (bot/nlp) and the benches that load Rasa itself (the Rasa patches
are now rasa_patches/, outside bot/); moving them out is issue #21's next step.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RASA_GLUE = (
    "bot.bench",
    "bot.nlp.intent_classifier",
    "bot.nlp.known_words",
    "bot.nlp.rasa_normaliser",
    "bot.nlp.sentence_counts",
    "bot.nlp.urgent_override",
)
LOADED = """
import json, sys
{body}
outside = ("channels", "rasa")
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in outside)))
"""


def loaded_after(body: str) -> list[str]:
    """The modules of channels/ and Rasa (not rasa_sdk) that `body` loads."""
    done = subprocess.run(
        [sys.executable, "-c", LOADED.format(body=body)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_no_bot_module_imports_channels_or_rasa():
    body = f"""
import importlib, pkgutil, bot
glue = {RASA_GLUE!r}
for module in pkgutil.walk_packages(bot.__path__, "bot."):
    if not module.name.startswith((*glue, "bot.__main__")):  # __main__ runs the CLI
        importlib.import_module(module.name)
"""
    assert loaded_after(body) == []


def test_sending_a_reminder_code_loads_neither_channels_nor_rasa():
    """What the action server does on the first code asked for on the web (it used to load
    all of Rasa core through channels/, with its event loop blocked for seconds)."""
    body = """
from bot.notifications.commands import build_senders
from bot.settings import Settings
from bot.db.session import make_engine
build_senders(make_engine("sqlite://"), Settings())
"""
    assert loaded_after(body) == []
