"""The Rasa server's start-up, run once when Rasa builds our first input channel.

Every channel we ship calls `start_rasa_server()` from `from_credentials`. It installs, in
this order and once per process:

- the speed patches (`rasa_patches.install`; none with RASA_PATCHES=off or on a Rasa other
  than the one they were written for, with a warning);
- the behaviour hooks, always: the end-of-turn call that lets the SMS reply go before Rasa
  saves the conversation (channels/turn_end.py), and the reply the Rasa server gives by
  itself when the action server is down or too slow (channels/action_failures.py);

then runs the production check: `rasa run` with APP_ENV=production stops before it listens
if a setting is unsafe (bot/production.py says which). In the demo it logs, once, that it
is a demo.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.exc import SQLAlchemyError

from bot.db.session import session_scope
from bot.demo_staff import active_demo_usernames
from bot.production import StartContext, UnsafeSettings, refuse_unsafe_start
from bot.settings import Settings, get_settings
from channels.action_failures import install as install_action_failures
from channels.turn_end import install as install_turn_end
from rasa_patches import install as install_rasa_patches

logger = logging.getLogger(__name__)

DEFAULT_CREDENTIALS = "credentials.yml"


def _flag_value(args: Sequence[str], *flags: str) -> str | None:
    for index, arg in enumerate(args):
        for flag in flags:
            if arg == flag and index + 1 < len(args):
                return args[index + 1]
            if arg.startswith(flag + "="):
                return arg.split("=", 1)[1]
    return None


def channels_started(args: Sequence[str]) -> dict[str, Any]:
    """The input channels `rasa run` starts: those of --credentials (or --connector alone)."""
    credentials_file = Path(_flag_value(args, "--credentials") or DEFAULT_CREDENTIALS)
    every: dict[str, Any] = {}
    if credentials_file.is_file():
        every = yaml.safe_load(credentials_file.read_text(encoding="utf-8")) or {}
    connector = _flag_value(args, "--connector", "-c")
    if connector:
        return {connector: every.get(connector)}
    return every


def install_rasa_changes(settings: Settings) -> None:
    """The speed patches (unless off or refused) and the behaviour hooks, once per process:
    for `rasa run` (through `start_rasa_server`) and for an Agent loaded in-process (the
    load benchmark's baseline, tests)."""
    install_rasa_patches(settings)
    install_turn_end()
    install_action_failures()


@lru_cache(maxsize=1)
def start_rasa_server() -> None:
    """Install our changes to Rasa, then stop `rasa run` in production when a setting is
    unsafe; note a demo start once."""
    settings = get_settings()
    install_rasa_changes(settings)
    if not settings.is_production:
        logger.warning("Demo mode (APP_ENV is not production): embedded defaults, demo only.")
        return
    try:
        with session_scope() as session:
            demo_accounts = bool(active_demo_usernames(session))
    except SQLAlchemyError as error:
        raise UnsafeSettings(f"The Rasa server cannot read the staff accounts: {error}") from error
    context = StartContext(
        channels=channels_started(sys.argv),
        rasa_args=tuple(sys.argv),
        demo_accounts_present=demo_accounts,
    )
    refuse_unsafe_start("Rasa server", settings, context)
