"""Whether the SQLite statement cache (bot/db/prepared.py) still pays: the SMS store's
writes for one text in and its reply out, with DB_STATEMENT_CACHE on and off.

    python -m bot.bench.statement_cache [--texts 2000] [--rounds 3]

Each round runs both modes, one after the other, on their own migrated SQLite file (in a
temporary folder): `claim_with_state` for the text, then `add_outbound` for the reply,
which marks the text processed, as the SMS channel does per message. Prints one JSON line:
the median CPU time a text in each mode, in milliseconds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from bot.db import sms
from bot.db.migrate import upgrade
from bot.db.session import make_engine
from bot.privacy import hash_identifier
from bot.settings import get_settings

NUMBER = "+447700900123"


def ms_per_text(folder: Path, cache: str, texts: int) -> float:
    """CPU milliseconds per text in and reply out, with DB_STATEMENT_CACHE=`cache`."""
    os.environ["DB_STATEMENT_CACHE"] = cache
    get_settings.cache_clear()
    url = f"sqlite:///{folder / f'{cache}-{time.monotonic_ns()}.db'}"
    upgrade(url)
    engine = make_engine(url)
    number_hash = hash_identifier(NUMBER)
    try:
        started = time.process_time()
        for index in range(texts):
            text = sms.Inbound("outbox", f"SM{index:032d}", NUMBER, "when is my bin day")
            sms.claim_with_state(engine, text, number_hash, timedelta(hours=1))
            reply = sms.NewText(
                f"reply-{index}", "outbox", NUMBER, number_hash, "Your bins go out on Tuesday."
            )
            sms.add_outbound(engine, reply, answers=("outbox", text.message_id))
        return (time.process_time() - started) * 1000 / texts
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    found: dict[str, list[float]] = {"on": [], "off": []}
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(args.rounds):
            for cache in ("on", "off"):
                found[cache].append(ms_per_text(Path(folder), cache, args.texts))
    on, off = statistics.median(found["on"]), statistics.median(found["off"])
    print(
        json.dumps(
            {
                "bench": "statement_cache",
                "texts": args.texts,
                "rounds": args.rounds,
                "cpu_ms_per_text_on": round(on, 3),
                "cpu_ms_per_text_off": round(off, 3),
                "saved_ms_per_text": round(off - on, 3),
                "all_ms": {cache: [round(v, 3) for v in values] for cache, values in found.items()},
            }
        )
    )


if __name__ == "__main__":
    main()
