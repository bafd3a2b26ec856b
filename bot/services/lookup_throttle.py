"""Throttle status look-ups that find nothing, so references cannot be guessed one by one.

Each failed look-up is stored against a keyed hash of the conversation id
(bot.privacy.hash_identifier), never the id itself.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.db.models import FailedStatusLookup
from bot.privacy import hash_identifier
from bot.settings import Settings, get_settings

# Failed look-ups older than this are of no use to any window and are removed.
KEEP_FOR = timedelta(days=1)


def _aware(now: datetime) -> datetime:
    if now.tzinfo is None:
        raise ValueError("`now` must be timezone-aware")
    return now


def record_failed_lookup(session: Session, conversation_id: str, now: datetime) -> None:
    """Note one failed look-up by this conversation at `now` (timezone-aware).

    Also clears this conversation's failures older than a day.
    """
    now = _aware(now)
    key = hash_identifier(conversation_id)
    session.execute(
        delete(FailedStatusLookup).where(
            FailedStatusLookup.conversation_hash == key, FailedStatusLookup.at < now - KEEP_FOR
        )
    )
    session.add(FailedStatusLookup(conversation_hash=key, at=now))
    session.flush()


def failed_lookups(session: Session, conversation_id: str, now: datetime, window: timedelta) -> int:
    """How many look-ups by this conversation failed in the `window` before `now`."""
    now = _aware(now)
    return int(
        session.scalar(
            select(func.count())
            .select_from(FailedStatusLookup)
            .where(
                FailedStatusLookup.conversation_hash == hash_identifier(conversation_id),
                FailedStatusLookup.at > now - window,
                FailedStatusLookup.at <= now,
            )
        )
        or 0
    )


def is_throttled(
    session: Session, conversation_id: str, now: datetime, limit: int, window: timedelta
) -> bool:
    """True when this conversation has had `limit` or more failed look-ups in the last `window`.

    Check it before each look-up; with settings.status_lookup_attempts = 5 and a
    one-hour window, the sixth try within the hour is refused.
    """
    return failed_lookups(session, conversation_id, now, window) >= limit


def configured_limits(settings: Settings | None = None) -> tuple[int, timedelta]:
    """(limit, window) from the settings (STATUS_LOOKUP_ATTEMPTS per ..._WINDOW_MINUTES)."""
    settings = settings or get_settings()
    return settings.status_lookup_attempts, timedelta(minutes=settings.status_lookup_window_minutes)
