"""`python -m bot ...`: the project's command line.

Each module named in COMMAND_MODULES exposes `register(subparsers) -> None`,
adding its sub-commands; a sub-command sets `handler` (args -> exit code)
with `parser.set_defaults(handler=...)`. Add a feature's commands by adding
its module here.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

COMMAND_MODULES: tuple[str, ...] = (
    "bot.db.commands",
    "bot.web.commands",
    "bot.notifications.commands",
    "bot.insight_commands",
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every command module's sub-commands."""
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return 2
    return int(handler(args) or 0)
