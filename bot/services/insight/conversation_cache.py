"""Conversations read from Rasa's tracker store, kept per process and brought up to date.

Reading and parsing every event of a busy month took 14 s for 100,000 conversations, on
every view of the insight page. Here each conversation is read once: later calls read only
the conversations with events added since (Rasa only ever adds events). When rows were
deleted since (retention, erasure: `bot.db.insight.added_between` notices), everything is
read again, so nothing erased is ever shown from memory.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

from sqlalchemy.engine import Engine

from bot.db import insight as store
from bot.services.insight.conversations import SILENT_ACTIONS, Conversation, read_conversation

# Only the events `read_conversation` looks at (bot replies, session starts and
# bookkeeping actions change nothing it counts).
TYPES = ("user", "action", "slot")
SKIPPED_ACTIONS = tuple(sorted(SILENT_ACTIONS))


@dataclass
class _Kept:
    mark: store.TrackerMark | None
    first_seen: dict[str, float] = field(default_factory=dict)
    conversations: dict[str, Conversation] = field(default_factory=dict)


_KEPT: WeakKeyDictionary[Engine, _Kept] = WeakKeyDictionary()
_LOCK = threading.Lock()


def conversations_started(tracker: Engine, since: float, until: float) -> list[Conversation]:
    """The conversations whose first event falls in [since, until) (UNIX times), oldest
    first; those in which the resident never wrote are left out."""
    with _LOCK:
        kept = _up_to_date(tracker)
        found = [
            conversation
            for sender, conversation in kept.conversations.items()
            if since <= kept.first_seen[sender] < until
        ]
    found.sort(key=lambda c: (c.started_at, c.conversation_id))
    return found


def warm_up(tracker: Engine) -> int:
    """Read every conversation now (a server calls this in a thread when it starts, so the
    first view of the insight page does not); returns how many are kept."""
    with _LOCK:
        return len(_up_to_date(tracker).conversations)


def _up_to_date(tracker: Engine) -> _Kept:
    mark = store.tracker_mark(tracker)
    kept = _KEPT.get(tracker)
    if mark is None:
        kept = _KEPT[tracker] = _Kept(None)
        return kept
    if kept is not None and kept.mark is not None:
        if kept.mark == mark:
            return kept
        senders = store.added_between(tracker, kept.mark, mark)
        if senders is not None:
            _read(tracker, kept, senders)
            kept.mark = mark
            return kept
    kept = _Kept(mark)
    _read(tracker, kept, None)
    _KEPT[tracker] = kept
    return kept


def _read(tracker: Engine, kept: _Kept, senders: list[str] | None) -> None:
    first_seen, events = store.events_for_reading(tracker, senders, TYPES, SKIPPED_ACTIONS)
    wanted: Iterable[str] = first_seen if senders is None else senders
    for sender in wanted:
        conversation = read_conversation(sender, events.get(sender, []))
        if conversation is None or sender not in first_seen:
            kept.conversations.pop(sender, None)
            kept.first_seen.pop(sender, None)
            continue
        kept.conversations[sender] = conversation
        kept.first_seen[sender] = first_seen[sender]
