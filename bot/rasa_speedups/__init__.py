"""Corrections to Rasa 3.6 internals that cost time on every message, without changing results.

One module per fix; installed once per process by `install()`: the `channels` package calls
it, so every `rasa run` with our channels gets it (the load benchmark's baseline calls it too).
Measured with `python -m bot.bench.load`.

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

from typing import Any

from bot.rasa_speedups import events, slot_copies
from bot.rasa_speedups.action_responses import validate_action_result
from bot.rasa_speedups.action_sessions import _kept_session, close_kept_sessions
from bot.rasa_speedups.graph_runner import run_in_order
from bot.rasa_speedups.rules import possible_rule_keys
from bot.rasa_speedups.tracker_store import (
    _tracker_store_with_wal,
    retrieve_tracker_with_core,
    save_tracker_with_core,
)

__all__ = ["close_kept_sessions", "install", "retrieve_tracker_with_core", "save_tracker_with_core"]

_INSTALLED = False
# Rasa's own methods, once replaced (the tests compare against them).
RASA_SAVE: Any = None  # SQLTrackerStore.save
RASA_RETRIEVE: Any = None  # SQLTrackerStore._retrieve
RASA_POSSIBLE_KEYS: Any = None  # RulePolicy._get_possible_keys
RASA_GRAPH_RUN: Any = None  # DaskGraphRunner.run


def install() -> None:
    """Apply the corrections (idempotent)."""
    global _INSTALLED, RASA_SAVE, RASA_RETRIEVE, RASA_POSSIBLE_KEYS, RASA_GRAPH_RUN
    if _INSTALLED:
        return
    from rasa.core.actions.action import RemoteAction
    from rasa.core.policies.rule_policy import RulePolicy
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.shared.core.events import Event
    from rasa.shared.core.slots import Slot
    from rasa.utils.endpoints import EndpointConfig

    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
    SQLTrackerStore.__init__ = _tracker_store_with_wal(  # type: ignore[method-assign]
        SQLTrackerStore.__init__
    )
    RASA_SAVE, RASA_RETRIEVE = SQLTrackerStore.save, SQLTrackerStore._retrieve
    SQLTrackerStore.save = save_tracker_with_core  # type: ignore[method-assign]
    SQLTrackerStore._retrieve = retrieve_tracker_with_core  # type: ignore[method-assign]
    EndpointConfig.session = _kept_session(EndpointConfig.session)  # type: ignore[method-assign]
    RASA_POSSIBLE_KEYS = RulePolicy._get_possible_keys
    RulePolicy._get_possible_keys = possible_rule_keys  # type: ignore[method-assign]
    events.install(Event)
    slot_copies.install(Slot)
    RASA_GRAPH_RUN = DaskGraphRunner.run
    DaskGraphRunner.run = run_in_order  # type: ignore[method-assign]
    _INSTALLED = True
