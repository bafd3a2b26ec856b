"""Sending texts: stored first, suppressed after STOP, retried with backoff, never lost.

Every text is a row in `sms_outbound` before the provider sees it; each
attempt's outcome is written back, so a text that could not be sent stays
there as `failed` with its last error for staff to see.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.engine import Engine

from bot.db import sms as store
from channels.sms.provider import SendResult, SmsProvider

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

    async def send(
        self, to: str, body: str, idempotency_key: str, *, ignore_opt_out: bool = False
    ) -> store.OutboundText:
        """Store and send `body` to `to`; a repeated `idempotency_key` is sent only once.

        `ignore_opt_out` is for the one text a STOP allows: its confirmation.
        Returns the stored text with its final status.
        """
        number_hash = self._hash(to)
        text, created = await asyncio.to_thread(
            store.add_outbound,
            self._engine,
            idempotency_key,
            self._provider.name,
            to,
            number_hash,
            body,
        )
        if not created and text.status not in (store.STATUS_QUEUED, store.STATUS_RETRYING):
            return text
        await self._deliver(text, number_hash, ignore_opt_out)
        return await self._reload(text)

    async def _deliver(
        self, text: store.OutboundText, number_hash: str, ignore_opt_out: bool
    ) -> None:
        opted_out = await asyncio.to_thread(store.is_opted_out, self._engine, number_hash)
        if opted_out and not ignore_opt_out:
            await asyncio.to_thread(
                store.record_attempt,
                self._engine,
                text.id,
                store.STATUS_SUPPRESSED,
                counts_as_attempt=False,
            )
            logger.info("sms to %s suppressed: the number opted out", number_hash[:12])
            return
        await self._attempt_until_done(text, number_hash)

    async def _attempt_until_done(self, text: store.OutboundText, number_hash: str) -> None:
        if text.attempts >= self._attempts:
            await asyncio.to_thread(
                store.record_attempt,
                self._engine,
                text.id,
                store.STATUS_FAILED,
                error=text.last_error or "no attempts left",
                counts_as_attempt=False,
            )
            return
        for attempt in range(text.attempts, self._attempts):
            result = await self._try_once(text)
            if result.ok:
                await asyncio.to_thread(
                    store.record_attempt,
                    self._engine,
                    text.id,
                    store.STATUS_SENT,
                    provider_message_id=result.provider_message_id,
                )
                return
            last = result.permanent or attempt + 1 >= self._attempts
            delay = self._base_delay * (2**attempt)
            await asyncio.to_thread(
                store.record_attempt,
                self._engine,
                text.id,
                store.STATUS_FAILED if last else store.STATUS_RETRYING,
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
                return
            logger.warning("sms %s to %s: retrying in %.1fs", text.id, number_hash[:12], delay)
            await asyncio.sleep(delay)

    async def _try_once(self, text: store.OutboundText) -> SendResult:
        try:
            return await self._provider.send(text.recipient, text.body, text.idempotency_key)
        except Exception as error:  # an adapter bug must still leave a recorded failure
            logger.exception("sms provider %s raised", self._provider.name)
            return SendResult(ok=False, error=f"{type(error).__name__}: {error}"[:300])

    async def _reload(self, text: store.OutboundText) -> store.OutboundText:
        fresh = await asyncio.to_thread(store.get_outbound, self._engine, text.id)
        return fresh or text

    async def retry_stale(self, stale_after: timedelta = timedelta(minutes=2)) -> int:
        """Finish texts a stopped process left queued or retrying; returns how many it tried."""
        due = await asyncio.to_thread(store.due_outbound, self._engine, stale_after)
        for text in due:
            await self._deliver(text, self._hash(text.recipient), ignore_opt_out=False)
        return len(due)
