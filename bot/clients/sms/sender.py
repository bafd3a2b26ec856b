"""Sending texts: stored first, suppressed after STOP, retried with backoff, never lost.

Every text is a row in `sms_outbound` before the provider sees it; each
attempt's outcome is written back, so a text that could not be sent stays
there as `failed` with its last error for staff to see.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

from sqlalchemy.engine import Engine

from bot.clients.sms.provider import SendResult, SmsProvider
from bot.db import sms as store
from bot.db.calls import run_db

logger = logging.getLogger(__name__)


class SmsSender:
    """Sends texts through one provider with recorded, retried attempts."""

    def __init__(
        self,
        engine: Engine,
        provider: SmsProvider,
        hasher: Callable[[str], str],
        attempts: int = 3,
        base_delay_seconds: float = 2.0,
    ) -> None:
        self._engine = engine
        self._provider = provider
        self._hash = hasher
        self._attempts = max(1, attempts)
        self._base_delay = base_delay_seconds

    @property
    def provider_name(self) -> str:
        return self._provider.name

    async def send_to_conversation(
        self, conversation: str, body: str, idempotency_key: str
    ) -> store.OutboundText | None:
        """Send `body` to the number of an SMS conversation (`sms:<hash>`, or a number);
        None, logged, when no number is kept for it (it was erased)."""
        number_hash = store.number_hash_of(conversation)
        if number_hash is None:
            return await self.send(conversation, body, idempotency_key)
        number = await run_db(self._engine, store.number_for, number_hash)
        if number is None:
            logger.warning("sms to %s not sent: no number kept for it", number_hash[:12])
            return None
        return await self.send(number, body, idempotency_key)

    async def send(
        self,
        to: str,
        body: str,
        idempotency_key: str,
        *,
        ignore_opt_out: bool = False,
        options: list[dict[str, Any]] | None = None,
        answers: tuple[str, str] | None = None,
    ) -> store.OutboundText:
        """Store and send `body` to `to`; a repeated `idempotency_key` is sent only once.

        `ignore_opt_out` is for the one text a STOP allows: its confirmation.
        `options` (when given) are the numbered options this text offers: they are
        remembered for the number with the text, in the same write; `answers` (an
        inbound text's provider and message id) is marked processed in that write too.
        Returns the stored text with its final status.
        """
        number_hash = self._hash(to)
        new = store.NewText(idempotency_key, self._provider.name, to, number_hash, body)
        if self._provider.delivers_on_store:
            stored = await run_db(
                self._engine,
                store.add_delivered,
                new,
                send_when_opted_out=ignore_opt_out,
                options=options,
                answers=answers,
            )
        else:
            stored = await run_db(
                self._engine, store.add_outbound, new, options=options, answers=answers
            )
        text = stored.text
        # Only a text still queued or retrying (new, or left by an earlier call) needs sending;
        # the outbox's new texts are already sent or suppressed.
        if text.status not in (store.STATUS_QUEUED, store.STATUS_RETRYING):
            if stored.created and text.status == store.STATUS_SUPPRESSED:
                logger.info("sms to %s suppressed: the number opted out", number_hash[:12])
            return text
        return await self._deliver(text, number_hash, stored.opted_out and not ignore_opt_out)

    async def _deliver(
        self, text: store.OutboundText, number_hash: str, suppress: bool
    ) -> store.OutboundText:
        """Send (or, for an opted-out number, suppress) a stored text; returns its final state."""
        if suppress:
            await self._record(text, store.STATUS_SUPPRESSED, counts_as_attempt=False)
            logger.info("sms to %s suppressed: the number opted out", number_hash[:12])
            return replace(text, status=store.STATUS_SUPPRESSED)
        return await self._attempt_until_done(text, number_hash)

    async def _record(self, text: store.OutboundText, status: str, **outcome: Any) -> None:
        await run_db(self._engine, store.record_attempt, text.id, status, **outcome)

    async def _attempt_until_done(
        self, text: store.OutboundText, number_hash: str
    ) -> store.OutboundText:
        if text.attempts >= self._attempts:
            error = text.last_error or "no attempts left"
            await self._record(text, store.STATUS_FAILED, error=error, counts_as_attempt=False)
            return replace(text, status=store.STATUS_FAILED, last_error=error)
        for attempt in range(text.attempts, self._attempts):
            result = await self._try_once(text)
            if result.ok:
                await self._record(
                    text, store.STATUS_SENT, provider_message_id=result.provider_message_id
                )
                return replace(
                    text, status=store.STATUS_SENT, attempts=attempt + 1, last_error=None
                )
            last = result.permanent or attempt + 1 >= self._attempts
            delay = self._base_delay * (2**attempt)
            status = store.STATUS_FAILED if last else store.STATUS_RETRYING
            await self._record(
                text,
                status,
                error=result.error,
                next_attempt_at=None if last else store.utcnow() + timedelta(seconds=delay),
            )
            if last:
                logger.error(
                    "sms %s to %s failed after %d attempt(s): %s",
                    text.id,
                    number_hash[:12],
                    attempt + 1,
                    result.error,
                )
                return replace(
                    text,
                    status=status,
                    attempts=attempt + 1,
                    last_error=(result.error or "")[:500] or None,
                )
            logger.warning("sms %s to %s: retrying in %.1fs", text.id, number_hash[:12], delay)
            await asyncio.sleep(delay)
        return text  # not reached: the last attempt returns above

    async def _try_once(self, text: store.OutboundText) -> SendResult:
        if text.recipient is None:  # not reached: only a sent or given-up text has none
            return SendResult(ok=False, error="no recipient kept", permanent=True)
        try:
            return await self._provider.send(text.recipient, text.body, text.idempotency_key)
        except Exception as error:  # an adapter bug must still leave a recorded failure
            logger.exception("sms provider %s raised", self._provider.name)
            return SendResult(ok=False, error=f"{type(error).__name__}: {error}"[:300])

    async def retry_stale(self, stale_after: timedelta = timedelta(minutes=2)) -> int:
        """Finish texts a stopped process left queued or retrying; returns how many it tried."""
        due = await asyncio.to_thread(store.due_outbound, self._engine, stale_after)
        for text in due:
            if text.recipient is None:
                continue
            number_hash = self._hash(text.recipient)
            opted_out = await asyncio.to_thread(store.is_opted_out, self._engine, number_hash)
            await self._deliver(text, number_hash, suppress=opted_out)
        return len(due)
