"""What happens to a resident's text once a provider has delivered it.

Each provider message id is processed once (a database unique constraint, so
two servers cannot both take it); texts from one number are processed one at
a time in the order they arrived; a flood from one number is cut off by a rate
limit; STOP, START and HELP are answered here; "1", "2"... pick the numbered
options last offered; everything else goes to the assistant, and its messages
for the turn go back as one SMS-shaped reply.

The assistant knows the conversation as `sms:<keyed hash of the number>`, never the
number: the number stays with the channel (bot/db/sms.py keeps it in one table).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from rasa.core.channels.channel import UserMessage
from sqlalchemy.engine import Engine

from bot import clock
from bot.clients.sms.provider import InboundSms
from bot.clients.sms.sender import SmsSender
from bot.content import get_content
from bot.db import sms as store
from bot.db.calls import run_db
from bot.db.session import session_scope
from bot.services.notification_subscriptions import withdraw_all
from bot.services.sms_keywords import Keyword, detect_keyword
from channels.sms.output import CollectingSmsOutput, reply_for
from channels.sms.rate_limit import RateLimiter

logger = logging.getLogger(__name__)

OPTIONS_LAST = timedelta(hours=2)

ACCEPTED, DUPLICATE, RATE_LIMITED = "accepted", "duplicate", "rate_limited"


@dataclass(frozen=True)
class _Queued:
    """A text waiting its turn: only the trigger for a rate-limit notice, or to process
    (with the number's state when it was read with the claim)."""

    sms: InboundSms
    notice_only: bool
    state: store.NumberState | None = None


class SmsConversations:
    """Receives validated texts and processes them in the background, in order per number."""

    def __init__(
        self,
        engine: Engine,
        sender: SmsSender,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        hasher: Callable[[str], str],
        limiter: RateLimiter,
    ) -> None:
        self._engine = engine
        self._sender = sender
        self._on_new_message = on_new_message
        self._hash = hasher
        self._limiter = limiter
        self._queues: dict[str, asyncio.Queue[_Queued]] = {}
        # Texts this process has claimed and not yet finished: (provider, message id).
        self._unfinished: set[tuple[str, str]] = set()
        # Of those, the ones marked processed with their reply, in its write.
        self._marked: set[tuple[str, str]] = set()
        self._workers: set[asyncio.Task[None]] = set()
        # Per number: a lock and how many requests hold or wait for it.
        self._arrivals: dict[str, tuple[asyncio.Lock, int]] = {}

    async def receive(self, sms: InboundSms) -> str:
        """Accept a text for processing; returns ACCEPTED, DUPLICATE or RATE_LIMITED at once."""
        # The lock (first come, first served) keeps texts queued in the order they
        # arrived, although each waits for its database claim in a thread.
        lock, users = self._arrivals.get(sms.sender) or (asyncio.Lock(), 0)
        self._arrivals[sms.sender] = (lock, users + 1)
        try:
            async with lock:
                return await self._claim_and_queue(sms)
        finally:
            lock, users = self._arrivals[sms.sender]
            if users == 1:
                del self._arrivals[sms.sender]
            else:
                self._arrivals[sms.sender] = (lock, users - 1)

    async def _claim_and_queue(self, sms: InboundSms) -> str:
        number_hash = self._hash(sms.sender)
        state: store.NumberState | None = None
        if sms.sender in self._queues:  # texts before it may change the state: read it later
            fresh = await run_db(self._engine, store.claim_inbound, sms, number_hash)
        else:  # nothing before it to process: read the state with the claim
            state = await run_db(
                self._engine, store.claim_with_state, sms, number_hash, OPTIONS_LAST
            )
            fresh = state is not None
        if not fresh:
            logger.info("sms %s from %s already seen", sms.message_id, number_hash[:12])
            return DUPLICATE
        # STOP and START always get through: opting out must work during a flood.
        if detect_keyword(sms.body) not in (Keyword.STOP, Keyword.START) and not (
            self._limiter.allow(number_hash)
        ):
            logger.warning("sms from %s over the rate limit: dropped", number_hash[:12])
            if self._limiter.first_refusal(number_hash):
                self._enqueue(_Queued(sms, notice_only=True))
            else:
                await run_db(self._engine, store.mark_processed, sms.provider, sms.message_id)
            return RATE_LIMITED
        self._enqueue(_Queued(sms, notice_only=False, state=state))
        return ACCEPTED

    def _enqueue(self, item: _Queued) -> None:
        sms = item.sms
        self._unfinished.add((sms.provider, sms.message_id))
        queue = self._queues.get(sms.sender)
        if queue is None:
            queue = self._queues[sms.sender] = asyncio.Queue()
            task = asyncio.create_task(self._work_through(sms.sender, queue))
            self._workers.add(task)
            task.add_done_callback(self._workers.discard)
        queue.put_nowait(item)

    async def _work_through(self, number: str, queue: asyncio.Queue[_Queued]) -> None:
        while not queue.empty():
            item = queue.get_nowait()
            sms = item.sms
            try:
                if item.notice_only:
                    await self._reply(sms, "sms_rate_limited", "limit")
                else:
                    await self._process(sms, item.state)
            except Exception:
                logger.exception("sms %s from %s failed", sms.message_id, self._hash(number)[:12])
            await self._finish(sms)
        # No await between the last empty() and here, so nothing can be queued unseen.
        del self._queues[number]

    async def _finish(self, sms: InboundSms) -> None:
        """Record the text as done (answered, or deliberately not), unless its reply did;
        if that fails, it is left for `recover` to process again later."""
        text = (sms.provider, sms.message_id)
        try:
            if text not in self._marked:
                await run_db(self._engine, store.mark_processed, *text)
        except Exception:
            logger.exception("sms %s could not be marked processed", sms.message_id)
        finally:
            self._unfinished.discard(text)
            self._marked.discard(text)

    async def recover(self, stale_after: timedelta) -> int:
        """Process the texts accepted more than `stale_after` ago and never processed (a
        process that stopped had them queued), oldest first; returns how many were queued.
        Texts this process still has queued are left to it."""
        texts = await run_db(self._engine, store.unfinished_inbound, stale_after)
        queued = 0
        for text in texts:
            if (text.provider, text.message_id) in self._unfinished:
                continue
            logger.warning(
                "sms %s from %s was never processed: processing it now",
                text.message_id,
                self._hash(text.sender)[:12],
            )
            self._enqueue(_Queued(text, notice_only=False))
            queued += 1
        return queued

    async def drain(self) -> None:
        """Wait until every text received so far has been processed (tests, shutdown)."""
        while self._workers:
            await asyncio.gather(*list(self._workers), return_exceptions=True)

    async def _reply(self, sms: InboundSms, key: str, suffix: str, **kw: Any) -> None:
        text = reply_for([{"text": get_content().text(key)}]).text
        await self._sender.send(sms.sender, text, f"{sms.provider}:{sms.message_id}:{suffix}", **kw)

    async def _process(self, sms: InboundSms, state: store.NumberState | None) -> None:
        number_hash = self._hash(sms.sender)
        keyword = detect_keyword(sms.body)
        if state is None:
            state = await run_db(self._engine, store.number_state, number_hash, OPTIONS_LAST)
        if keyword is Keyword.STOP:
            if not state.opted_out:
                await run_db(self._engine, store.set_opted_out, number_hash, True)
                await run_db(self._engine, store.save_options, number_hash, [])
                # STOP stops every reminder and alert too, with the withdrawal recorded now.
                await run_db(self._engine, _withdraw_subscriptions, sms.sender)
                await self._reply(sms, "sms_stop_confirmed", "stop", ignore_opt_out=True)
            return
        if keyword is Keyword.START:
            await run_db(self._engine, store.set_opted_out, number_hash, False)
            await self._reply(sms, "sms_start_confirmed", "start")
            return
        if state.opted_out:
            logger.info("sms from %s ignored: the number opted out", number_hash[:12])
            return
        if keyword is Keyword.HELP:
            await self._reply(sms, "sms_help", "help")
            return
        if not sms.body.strip():
            return  # a picture-only or blank text: nothing to answer
        text = choose_option(sms.body, state.options)
        await self._ask_assistant(sms, number_hash, text, state.has_stored_options)

    async def _ask_assistant(
        self, sms: InboundSms, number_hash: str, text: str, had_options: bool
    ) -> None:
        async def send_reply(messages: list[dict[str, Any]], part: int) -> None:
            await self._send_reply(sms, number_hash, messages, had_options, part)

        # The reply goes when the assistant's turn ends, before Rasa saves the conversation.
        collector = CollectingSmsOutput(send_reply)
        message = UserMessage(
            text,
            collector,
            store.conversation_id(number_hash),
            input_channel="sms",
            message_id=f"{sms.provider}:{sms.message_id}",
            metadata={"sms_provider": sms.provider},
        )
        try:
            await self._on_new_message(message)
        except Exception:
            logger.exception("the assistant failed on sms from %s", number_hash[:12])
            if not collector.ended:  # no answer went out: say something went wrong
                await self._reply(sms, "sms_error", "error")
            return
        # Messages Rasa's processor did not hand on: all of them when the text went to staff
        # instead; the relay's note when it came after a paused turn.
        await collector.end_of_turn()

    async def _send_reply(
        self,
        sms: InboundSms,
        number_hash: str,
        messages: list[dict[str, Any]],
        had_options: bool,
        part: int = 1,
    ) -> None:
        reply = reply_for(messages)
        options = [
            {"number": o.number, "title": o.title, "payload": o.payload} for o in reply.options
        ]
        # Nothing to remember and nothing to forget (a later part: the first forgot them):
        # no write. Otherwise the options are stored with the reply that offers them, in
        # one write.
        remember = options if options or (had_options and part == 1) else None
        if reply.text:
            key = f"{sms.provider}:{sms.message_id}:reply" + (str(part) if part > 1 else "")
            text = (sms.provider, sms.message_id)
            # The text is marked processed with its (first) reply: one write, not two.
            answers = text if part == 1 else None
            await self._sender.send(sms.sender, reply.text, key, options=remember, answers=answers)
            if answers is not None:
                self._marked.add(text)
        elif remember is not None:
            await run_db(self._engine, store.save_options, number_hash, remember)


def choose_option(body: str, options: list[dict[str, Any]]) -> str:
    """The text to give the assistant: the payload of the option a "1", "2"... picks,
    or the text itself (a number that picks nothing may be a house number)."""
    choice = body.strip().rstrip(".")
    if not (choice.isdigit() and len(choice) == 1):
        return body
    for option in options:
        if option.get("number") == int(choice):
            return str(option.get("payload") or option.get("title") or choice)
    return body


def _withdraw_subscriptions(engine: Engine, number: str) -> None:
    with session_scope(engine) as session:
        withdraw_all(session, number, "sms_stop", clock.now())
