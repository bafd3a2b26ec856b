"""Run blocking database and back-office calls off the event loop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions.messaging import say
from bot.db.session import session_scope
from bot.services.case_system import CaseSystem, CaseSystemRejected, CaseSystemUnavailable
from bot.services.case_system_factory import get_case_system

T = TypeVar("T")
log = logging.getLogger(__name__)


class ServiceDown(RuntimeError):
    """The database or the case system cannot be used right now."""


def hand_over_when_down(dispatcher: CollectingDispatcher) -> list[EventType]:
    """Tell the resident plainly that our systems are down, then hand over to a person."""
    say(dispatcher, "case_system_down")
    return [SlotSet("handoff_reason", "system_down"), FollowupAction("action_handoff")]


async def with_session(work: Callable[..., T], *args: Any) -> T:
    """Run `work(session, *args)` in a thread with a committed session."""

    def run() -> T:
        with session_scope() as session:
            return work(session, *args)

    try:
        return await asyncio.to_thread(run)
    except SQLAlchemyError as error:
        log.error("database unavailable: %s", error.__class__.__name__)
        raise ServiceDown(str(error)) from error


async def with_cases(work: Callable[[CaseSystem], T]) -> T:
    """Run `work(case_system)` in a thread; unavailability becomes ServiceDown."""
    try:
        return await asyncio.to_thread(work, get_case_system())
    except (CaseSystemUnavailable, CaseSystemRejected, SQLAlchemyError) as error:
        log.error("case system refused or unavailable: %s: %s", error.__class__.__name__, error)
        raise ServiceDown(str(error)) from error
