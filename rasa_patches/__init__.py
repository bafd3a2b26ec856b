"""Corrections to Rasa 3.6 internals that cost time on every message, without changing results.

One module per fix. Installed once per process by `install(settings)`, called from the Rasa
server's start-up (`channels.startup_checks.start_rasa_server`, which every channel we ship
calls from `from_credentials`; the load benchmark's baseline and the tests call it too),
never as a side effect of an import. It installs nothing, and says so, when
`RASA_PATCHES=off` or when the installed Rasa is not the version they were written
against (`RASA_VERSION`): each replaces Rasa internals, some private, so each must be
checked against a new Rasa (README, "Rasa patches"). Each patch installed is logged, naming
the Rasa attribute it replaces. Measured with `python -m bot.bench.load`.

- Rasa checks each action server response with `jsonschema.validate`, which first checks
  the (constant) schema itself against the JSON Schema meta-schema: about 85 ms of CPU per
  custom action call, over half of the server's time per message. Here the schema is
  checked once and its validator reused; responses are validated exactly as before and a
  bad response raises the same ValidationError with the same message. Each event is first
  checked against its own type's part of the schema (its `oneOf` has 23 alternatives, one
  per event name, and every failed try builds an error): 0.84 -> 0.10 ms a response, about
  1.5 responses a message; the full check runs only when that finds a fault.
- Rasa's SQL tracker store on SQLite keeps SQLite's defaults: a rollback journal and a full
  sync, so every message's commit waits for the disk (about 7 ms here) with the event loop
  blocked, and (SQLAlchemy 1.4) a new connection for every session, several a message.
  Here its connections are pooled and use write-ahead logging with `synchronous=NORMAL`,
  as SQLite advises for WAL: still atomic and safe if the process crashes; only a power
  cut can lose the last commits. (PostgreSQL tracker stores are left as they are.)
- Rasa's SQL tracker store saves a turn's events through the ORM (a unit of work and a
  count wrapped in a subquery): about 2 ms of CPU a message. Here the same count and the same
  rows are written with Core statements in the same session and transaction.
- It reads a conversation back as whole ORM objects, every column, to use one: about
  1 ms a message. Here the same rows' stored JSON is read with a Core select.
- Rasa opens a new HTTP client session, so a new TCP connection, for every call to the
  action server (`EndpointConfig.request`): about 2 ms of CPU a message. Here each endpoint
  keeps one session per event loop, with the same headers, auth and timeout, and idle
  connections dropped after 2 s (before Sanic's 5 s keep-alive closes them from the other
  end). Requests, responses and errors are exactly as before. Their bodies (the whole
  conversation, every call) are encoded with ujson, a dependency of Rasa's, to the same
  JSON in about 40% of the time: about 0.5 ms of CPU a message.
- Reading a conversation back, Rasa finds each event's class by walking every subclass of
  Event (a recursive list built afresh per event): about 1 ms a message. Here a class found
  is remembered by its type name; unknown names go to Rasa's own walk, as before.
- The tracker store's statements (and SQLAlchemy's cache key for each) were built anew for
  every read and save; here they are built once per events table with a bound sender id.
- The RulePolicy finds the rules that fit a conversation by filtering every rule once per
  turn of the conversation, a method call (and a list reversed) per rule and turn: about
  1 ms a message. Here each rule is checked by the same tests turn by turn until it fails.
- Rasa runs the model's graph (understanding a message, then each prediction) through dask's
  synchronous scheduler: queues, futures and an ordering pass around a dozen nodes that run
  one after another anyway, about 1 ms of CPU a message understood and 0.2 ms a prediction.
  Here the same nodes run in dependency order, each once, with the same arguments
  (`graph_runner.py`).
- Every tracker Rasa builds copies each slot with `copy.copy`, through its generic
  `__reduce_ex__` steps; the rule policy builds one tracker per turn for each prediction.
  Rasa's own slot classes are now copied to the same state in half the time
  (`slot_copies.py`): about 0.3 ms a message.
- Python's full garbage collection walks the loaded model's 570,000 objects: a 280-310 ms
  pause for every conversation at once. Once the model is loaded, those objects are left out
  of later collections (`collector.py`; the channels call it when the server has started).
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import rasa
from rasa.core.actions.action import RemoteAction
from rasa.core.policies.rule_policy import RulePolicy
from rasa.core.tracker_store import SQLTrackerStore
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.core.events import Event
from rasa.shared.core.slots import Slot
from rasa.utils.endpoints import EndpointConfig

from bot.settings import Settings
from rasa_patches import events, slot_copies
from rasa_patches.action_responses import checking_each_event_first
from rasa_patches.action_sessions import _kept_session, close_kept_sessions
from rasa_patches.graph_runner import run_in_order
from rasa_patches.rules import possible_rule_keys
from rasa_patches.tracker_store import (
    _tracker_store_with_wal,
    retrieve_tracker_with_core,
    save_tracker_with_core,
)

__all__ = [
    "PATCHES",
    "RASA_VERSION",
    "Patch",
    "close_kept_sessions",
    "install",
    "install_hook",
    "installed",
    "mismatch",
    "refusal",
    "retrieve_tracker_with_core",
    "save_tracker_with_core",
]

logger = logging.getLogger(__name__)

# The Rasa release the patches were written and measured against: on any other they are
# not installed.
RASA_VERSION = "3.6.21"

_INSTALLED: list[str] = []  # the attributes replaced in this process, as logged
_DECIDED = False
# Rasa's own methods, once replaced (the tests compare against them).
RASA_SAVE: Any = None  # SQLTrackerStore.save
RASA_RETRIEVE: Any = None  # SQLTrackerStore._retrieve
RASA_POSSIBLE_KEYS: Any = None  # RulePolicy._get_possible_keys
RASA_GRAPH_RUN: Any = None  # DaskGraphRunner.run


@dataclass(frozen=True)
class Patch:
    """One Rasa attribute replaced: `make(original)` gives its replacement. `parameters` are
    the original's, as written against: a Rasa that changed them is refused at start-up."""

    owner: type
    name: str
    parameters: tuple[str, ...] | None
    make: Callable[[Any], Any]

    @property
    def target(self) -> str:
        return f"{self.owner.__module__}.{self.owner.__qualname__}.{self.name}"


def _replaced_by(replacement: Any) -> Callable[[Any], Any]:
    return lambda _original: replacement


PATCHES: tuple[Patch, ...] = (
    Patch(
        RemoteAction,
        "_validate_action_result",
        ("self", "result"),
        checking_each_event_first,
    ),
    Patch(
        SQLTrackerStore,
        "__init__",
        (
            "self",
            "domain",
            "dialect",
            "host",
            "port",
            "db",
            "username",
            "password",
            "event_broker",
            "login_db",
            "query",
            "kwargs",
        ),
        _tracker_store_with_wal,
    ),
    Patch(SQLTrackerStore, "save", ("self", "tracker"), _replaced_by(save_tracker_with_core)),
    Patch(
        SQLTrackerStore,
        "_retrieve",
        ("self", "sender_id", "fetch_events_from_all_sessions"),
        _replaced_by(retrieve_tracker_with_core),
    ),
    Patch(EndpointConfig, "session", ("self",), _kept_session),
    Patch(
        RulePolicy,
        "_get_possible_keys",
        ("self", "lookup", "states"),
        _replaced_by(possible_rule_keys),
    ),
    Patch(Event, "resolve_by_type", ("type_name", "default"), events.remembering),
    Patch(Slot, "__copy__", None, _replaced_by(slot_copies.copy_slot)),
    Patch(DaskGraphRunner, "run", ("self", "inputs", "targets"), _replaced_by(run_in_order)),
)


def _replacements_fit_rasa() -> None:  # pragma: no cover (never run: read by mypy)
    """Each replacement where mypy can compare it with what it replaces, as Rasa types it
    (pyproject has mypy read Rasa's code): a changed Rasa fails `mypy rasa_patches`."""
    checking_each_event_first(RemoteAction._validate_action_result)  # what the wrapper takes
    save = SQLTrackerStore.save
    save = save_tracker_with_core
    retrieve = SQLTrackerStore._retrieve
    retrieve = retrieve_tracker_with_core
    _kept_session(EndpointConfig.session)
    _tracker_store_with_wal(SQLTrackerStore.__init__)
    possible_keys = RulePolicy._get_possible_keys
    possible_keys = possible_rule_keys
    run = DaskGraphRunner.run
    run = run_in_order
    resolve = Event.resolve_by_type
    resolve = events.resolve_event_class
    del save, retrieve, possible_keys, run, resolve


def parameters_of(function: Any) -> tuple[str, ...]:
    """The names of `function`'s parameters, in order."""
    return tuple(inspect.signature(function).parameters)


def mismatch(patches: tuple[Patch, ...]) -> str | None:
    """How this Rasa's attributes differ from those `patches` were written for (None: no
    difference)."""
    for patch in patches:
        original = vars(patch.owner).get(patch.name)
        if patch.parameters is None:
            if original is not None:
                return f"{patch.target} exists in this Rasa; the patch would replace it"
            continue
        if original is None:
            return f"{patch.target} is not in this Rasa"
        function = original.__func__ if isinstance(original, staticmethod) else original
        if parameters_of(function) != patch.parameters:
            return (
                f"{patch.target} takes {parameters_of(function)}, "
                f"the patch was written for {patch.parameters}"
            )
    return None


def refusal(rasa_version: str, patches: tuple[Patch, ...] = PATCHES) -> str | None:
    """Why the speed patches must not go into this Rasa (None: they fit it)."""
    if rasa_version != RASA_VERSION:
        return f"Rasa is {rasa_version}; the patches were written for {RASA_VERSION}"
    return mismatch(patches)


def install_hook(patch: Patch) -> None:
    """Install one of the behaviour hooks the assistant needs to be correct (the end of a
    turn, answers when the action server fails): on any Rasa version, as they keep working
    as long as what they wrap is called as before; a Rasa whose attribute changed stops
    the server instead (a warning alone would leave residents without replies)."""
    changed = mismatch((patch,))
    if changed is not None:
        raise RuntimeError(
            f"Rasa {rasa.__version__} cannot take our {patch.target} hook: {changed}. "
            "Update the hook (README, Rasa patches) before running this Rasa."
        )
    if rasa.__version__ != RASA_VERSION:
        logger.warning(
            "Rasa hook %s was written for Rasa %s, this is %s: installed, as its signature "
            "is unchanged; check it (README, Rasa patches).",
            patch.target,
            RASA_VERSION,
            rasa.__version__,
        )
    setattr(patch.owner, patch.name, patch.make(vars(patch.owner)[patch.name]))
    logger.info("Rasa hook installed: %s", patch.target)


def install(settings: Settings) -> list[str]:
    """Install the speed patches, once per process, unless `RASA_PATCHES=off` or this Rasa
    is not the one they were written for (a warning says so). The Rasa attributes replaced
    (empty: none)."""
    global _DECIDED, RASA_SAVE, RASA_RETRIEVE, RASA_POSSIBLE_KEYS, RASA_GRAPH_RUN
    if _DECIDED:
        return list(_INSTALLED)
    _DECIDED = True
    if not settings.rasa_patches_on:
        logger.warning("Rasa patches: off (RASA_PATCHES=off); Rasa runs as released.")
        return []
    why_not = refusal(rasa.__version__)
    if why_not is not None:
        logger.warning(
            "Rasa patches: none installed (%s). Rasa runs as released, more slowly; check "
            "each patch against this Rasa and update RASA_VERSION (README, Rasa patches).",
            why_not,
        )
        return []
    RASA_SAVE, RASA_RETRIEVE = SQLTrackerStore.save, SQLTrackerStore._retrieve
    RASA_POSSIBLE_KEYS = RulePolicy._get_possible_keys
    RASA_GRAPH_RUN = DaskGraphRunner.run
    slot_copies.prepare()
    for patch in PATCHES:
        original = vars(patch.owner).get(patch.name)
        replacement = patch.make(original)
        if isinstance(original, staticmethod):
            replacement = staticmethod(replacement)
        setattr(patch.owner, patch.name, replacement)
        _INSTALLED.append(patch.target)
        logger.info("Rasa patch installed: %s", patch.target)
    return list(_INSTALLED)


def installed() -> list[str]:
    """The Rasa attributes this process's patches replaced."""
    return list(_INSTALLED)
