"""The assistant always answers, even when its action server is down, too slow or failing.

Every reply of ours comes from a custom action, so in Rasa 3.6 a failed call to the action
server leaves the resident with no reply at all: the processor logs the exception, records
the action with no events and predicts the next action, which fails too (another wait for a
hanging server), until the rules predict `action_listen`. A call also waits up to 5 minutes
(`RemoteAction.run` passes `DEFAULT_REQUEST_TIMEOUT`, 300 s, to each request, whatever the
session's own timeout).

`install()` changes two things in the Rasa server process:

- `RemoteAction.run` is bounded by `ACTION_SERVER_TIMEOUT_SECONDS` (bot/settings.py, 10 s
  by default). A refused connection, that timeout, an HTTP error other than 400 (a form's
  rejection, which Rasa handles itself) or a response not in Rasa's shape is noted for the
  turn and raised as `ActionServerFailed` (a RasaException, which Rasa's slot extraction
  also survives; a timeout would otherwise escape it). The bound (`asyncio.wait_for`)
  costs about 25 µs of CPU a call, against about 10 ms a message.
- `MessageProcessor._run_action`: after an action whose call failed, the Rasa server
  answers by itself (bot/services/system_down.py: the urgent answer or an apology with the
  phone number, rendered from content/messages) and ends the turn, listening: nothing else
  is predicted, so one reply goes out and one ticket opens per failed turn, and the failed
  action does not steer the next turn's prediction. When the database is up it hands over
  as `action_handoff` would: a ticket (open staff queue pages hear of it on the bus), the
  conversation paused; the handoff relay then takes the resident's next messages to the
  ticket, and "cancel" brings them back to the assistant. The turn is saved as any is.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from functools import wraps
from typing import Any

from rasa.core.actions.action import ActionExecutionRejection
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    ConversationPaused,
    Event,
    SlotSet,
    UserUttered,
)
from rasa.shared.exceptions import RasaException
from sqlalchemy.exc import SQLAlchemyError

from bot.clock import now
from bot.content import Message, get_content
from bot.council import get_council
from bot.db.session import get_engine
from bot.privacy import hash_identifier
from bot.services.handoff_errors import HandoffError
from bot.services.handoff_transcript import ticket_channel
from bot.services.message_bus import MessageBusError
from bot.services.system_down import Handover, open_system_down_ticket, system_down_messages
from bot.settings import get_settings
from bot.web.database import in_session
from bot.web.events import publish_queue_changed
from channels.handoff_relay import current_relay

logger = logging.getLogger(__name__)

_INSTALLED = False
# The failed action server calls of the action the processor is running (None outside one).
_FAILURES: ContextVar[list[str] | None] = ContextVar("action_server_failures", default=None)


class ActionServerFailed(RasaException):
    """A call to the action server was refused, timed out or gave a bad answer."""


def _bounded(run: Callable[..., Coroutine[Any, Any, list[Event]]]) -> Callable[..., Any]:
    @wraps(run)
    async def bounded_run(
        self: Any, output_channel: Any, nlg: Any, tracker: Any, domain: Any
    ) -> list[Event]:
        seconds = get_settings().action_server_timeout_seconds
        cause: Exception
        try:
            return await asyncio.wait_for(
                run(self, output_channel, nlg, tracker, domain), timeout=seconds
            )
        except ActionExecutionRejection:
            raise  # the action server answered: a form rejected the message
        except asyncio.TimeoutError as error:
            failure, cause = f"no answer in {seconds:g} s", error
        except Exception as error:  # refused, HTTP 5xx, a response Rasa cannot read
            failure, cause = f"{type(error).__name__}: {error}", error
        failures = _FAILURES.get()
        if failures is not None:
            failures.append(self.name())
        logger.error(
            "action server call %s failed for %s: %s",
            self.name(),
            hash_identifier(tracker.sender_id)[:12],
            failure,
        )
        raise ActionServerFailed(f"custom action {self.name()!r} failed: {failure}") from cause

    return bounded_run


def _answering_failures(
    run_action: Callable[..., Coroutine[Any, Any, bool]],
) -> Callable[..., Coroutine[Any, Any, bool]]:
    @wraps(run_action)
    async def _run_action(
        self: Any, action: Any, tracker: Any, output_channel: Any, nlg: Any, prediction: Any
    ) -> bool:
        failures: list[str] = []
        token = _FAILURES.set(failures)
        try:
            predict_more = await run_action(self, action, tracker, output_channel, nlg, prediction)
        finally:
            _FAILURES.reset(token)
        if not failures:
            return predict_more
        await answer_failed_turn(tracker, output_channel, self.domain)
        return False  # the turn is over: nothing else is predicted (or called)

    return _run_action


async def _hand_over(tracker: Any, intent: str | None) -> Handover | None:
    """The turn's ticket, or None when it cannot be opened (the database is down too)."""
    events = [event.as_dict() for event in tracker.events]
    channel = ticket_channel(tracker.get_latest_input_channel())
    council, content, moment = get_council(), get_content(), now()
    try:
        handover = await in_session(
            get_engine(get_settings().database_url),
            lambda session: open_system_down_ticket(
                session, tracker.sender_id, channel, intent, events, council, content, moment
            ),
        )
    except (SQLAlchemyError, HandoffError) as error:
        logger.error(
            "system-down handoff for %s failed: %s", hash_identifier(tracker.sender_id)[:12], error
        )
        return None
    except Exception:  # whatever else: the resident still gets the reply without a ticket
        logger.exception(
            "system-down handoff for %s failed", hash_identifier(tracker.sender_id)[:12]
        )
        return None
    relay = current_relay()  # open staff queue pages show the new ticket at once
    if relay is not None:
        try:
            await publish_queue_changed(relay.bus, "system_down", handover.ticket_id)
        except MessageBusError:
            logger.exception("could not tell staff pages about ticket %s", handover.ticket_id)
    return handover


def _said_this_turn(tracker: Any) -> set[str]:
    """What the assistant already said since the resident's message (an earlier action)."""
    said: set[str] = set()
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, BotUttered) and event.text:
            said.add(event.text)
    return said


def _utterance(message: Message) -> BotUttered:
    buttons = [{"title": b.title, "payload": b.payload} for b in message.buttons]
    return BotUttered(message.as_text(), data={"buttons": buttons} if buttons else {})


async def answer_failed_turn(tracker: Any, output_channel: Any, domain: Any) -> None:
    """Reply, hand over when the database allows, and end the turn of a failed action."""
    intent = tracker.latest_message.intent.get("name") if tracker.latest_message else None
    handover = await _hand_over(tracker, intent)
    said = _said_this_turn(tracker)
    utterances = [
        _utterance(message)
        for message in system_down_messages(get_content(), intent, handover)
        if message.as_text() not in said
    ]
    events: list[Event] = list(utterances)
    if handover is not None:
        events.append(SlotSet("handoff_ticket", float(handover.ticket_id)))
    # The turn ends as a turn does, listening: left as the latest action, the failed one
    # would steer the next prediction (a form that "ran" with no active loop looks done).
    events.append(ActionExecuted(ACTION_LISTEN_NAME))
    if handover is not None:
        events.append(ConversationPaused())
    tracker.update_with_events(events, domain)
    logger.warning(
        "action server down: %s answered by the Rasa server%s",
        hash_identifier(tracker.sender_id)[:12],
        f", ticket {handover.ticket_id}" if handover else ", no ticket",
    )
    for utterance in utterances:
        await output_channel.send_response(tracker.sender_id, utterance.message())


def install() -> None:
    """Bound action server calls and answer failed turns (idempotent); a Rasa whose
    attributes changed stops the server."""
    global _INSTALLED
    if _INSTALLED:
        return
    from rasa.core.actions.action import RemoteAction
    from rasa.core.processor import MessageProcessor

    from rasa_patches import Patch, install_hook

    install_hook(
        Patch(RemoteAction, "run", ("self", "output_channel", "nlg", "tracker", "domain"), _bounded)
    )
    install_hook(
        Patch(
            MessageProcessor,
            "_run_action",
            ("self", "action", "tracker", "output_channel", "nlg", "prediction"),
            _answering_failures,
        )
    )
    _INSTALLED = True
