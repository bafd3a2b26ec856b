"""Open-loop load through the SMS channel with the outbox provider (the simulator webhook).

Each simulated resident texts from its own made-up number. A reply's latency runs from
the POST to the moment its text is marked sent in the outbox (read straight from the
database after the step, so polling adds no load on the server while it works).
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict

import aiohttp
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.bench.load_web import START_DELAY_SECONDS, Tally, _sleep_until, group_by_conversation
from bot.bench.residents import message_for, sms_e164, sms_number
from bot.bench.schedule import Send, StepResult
from bot.db.sms import STATUS_SENT, SmsOutbound
from bot.privacy import hash_identifier

REPLY_TIMEOUT_SECONDS = 10.0
POLL_SECONDS = 0.5


class SmsLoad:
    """Drives POST {base}/webhooks/sms/simulator at a steady offered rate."""

    name = "sms"

    def __init__(self, base_url: str, engine: Engine) -> None:
        self.url = f"{base_url}/webhooks/sms/simulator"
        self.engine = engine
        self.next_serial = 0

    async def run_step(self, rate: float, sends: list[Send]) -> StepResult:
        """Send `sends` (a step at `rate` texts a second: `step_sends`), each at its
        moment; wait for the replies."""
        conversations = group_by_conversation(sends)
        serials = {c: self.next_serial + i for i, c in enumerate(sorted(conversations))}
        self.next_serial += len(conversations)
        tally = Tally()
        # Per number: the wall-clock time of each accepted text, in order.
        posted: dict[str, list[float]] = defaultdict(list)
        start = time.perf_counter() + START_DELAY_SECONDS
        connector = aiohttp.TCPConnector(limit=200)
        async with aiohttp.ClientSession(connector=connector) as client:
            await asyncio.gather(
                *(
                    self._text(client, start, send, serials[send.conversation], tally, posted)
                    for send in sends
                )
            )
        expected = sum(len(times) for times in posted.values())
        # Sent texts keep only their recipient's hash (bot/db/sms.py).
        numbers = [sms_e164(serial) for serial in serials.values()]
        hashes = {hash_identifier(number): number for number in numbers}
        deadline = time.monotonic() + REPLY_TIMEOUT_SECONDS
        while True:
            replies = await asyncio.to_thread(self._sent, hashes)
            if sum(len(r) for r in replies.values()) >= expected or time.monotonic() > deadline:
                break
            await asyncio.sleep(POLL_SECONDS)
        for number, times in posted.items():
            for posted_at, sent_at in zip(times, replies.get(number, []), strict=False):
                tally.latencies_ms.append((sent_at - posted_at) * 1000)
        return tally.result(rate, len(sends))

    async def _text(
        self,
        client: aiohttp.ClientSession,
        start: float,
        send: Send,
        serial: int,
        tally: Tally,
        posted: dict[str, list[float]],
    ) -> None:
        await _sleep_until(start + send.at)
        tally.sent_at(start + send.at)
        wall = time.time()
        number = sms_e164(serial)
        try:
            async with client.post(
                self.url,
                json={"from": sms_number(serial), "body": message_for(send.script, send.turn)},
                timeout=aiohttp.ClientTimeout(total=REPLY_TIMEOUT_SECONDS),
            ) as response:
                body = await response.json()
                if response.status != 202 or body.get("status") != "accepted":
                    tally.errors += 1
                    return
        except (aiohttp.ClientError, asyncio.TimeoutError):
            tally.errors += 1
            return
        posted[number].append(wall)

    def _sent(self, hashes: dict[str, str]) -> dict[str, list[float]]:
        """Per number (by its hash in `hashes`): when each text to it was marked sent, in
        id order."""
        query = (
            select(SmsOutbound.recipient_hash, SmsOutbound.updated_at)
            .where(SmsOutbound.recipient_hash.in_(list(hashes)), SmsOutbound.status == STATUS_SENT)
            .order_by(SmsOutbound.id)
        )
        sent: dict[str, list[float]] = defaultdict(list)
        with Session(self.engine, future=True) as session:
            for recipient_hash, updated_at in session.execute(query):
                sent[hashes[recipient_hash]].append(updated_at.timestamp())
        return sent
