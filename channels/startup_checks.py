"""The Rasa server's production check, run once when Rasa builds our first input channel.

Every channel we ship calls `check_rasa_server_start()` from `from_credentials`, so `rasa
run` with APP_ENV=production stops before it listens if a setting is unsafe
(bot/production.py says which). In the demo it logs, once, that it is a demo.
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
from bot.settings import get_settings

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


@lru_cache(maxsize=1)
def check_rasa_server_start() -> None:
    """Stop `rasa run` in production when a setting is unsafe; note a demo start once."""
    settings = get_settings()
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
