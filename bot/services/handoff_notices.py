"""What the resident is told when handed to a person: whether staff are available now,
their place in the queue and a typical wait. Text comes from content/messages/handoff.yml."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.clock import LONDON, uk_date
from bot.content import Content
from bot.council import Council
from bot.services.handoff import queue_position, typical_wait
from bot.services.opening_hours import next_opening, staff_available


def format_wait(wait: timedelta) -> str:
    """A wait as residents read it: 'less than a minute', 'about 5 minutes', 'about 2 hours'."""
    minutes = round(wait.total_seconds() / 60)
    if minutes < 1:
        return "less than a minute"
    if minutes < 60:
        return f"about {minutes} minute{'s' if minutes != 1 else ''}"
    hours = round(minutes / 60)
    return f"about {hours} hour{'s' if hours != 1 else ''}"


def format_opening(moment: datetime, now: datetime) -> str:
    """'at 9am today', 'at 9am tomorrow' or 'at 9:30am on Monday 30 November'."""
    local, today = moment.astimezone(LONDON), now.astimezone(LONDON).date()
    hour = local.strftime("%I").lstrip("0")
    clock = f"{hour}{local:%p}" if local.minute == 0 else f"{hour}:{local:%M%p}"
    clock = clock.lower()
    if local.date() == today:
        return f"at {clock} today"
    if local.date() == today + timedelta(days=1):
        return f"at {clock} tomorrow"
    return f"at {clock} on {uk_date(local.date())}"


def handoff_notice(
    session: Session, council: Council, content: Content, ticket_id: int, now: datetime
) -> str:
    """The message for a resident whose ticket was just opened (or who asks for news)."""
    if not staff_available(council, now):
        opening = next_opening(council, now)
        if opening is None:
            return content.text("handoff_staff_closed_no_date")
        return content.text("handoff_staff_closed", next_opening=format_opening(opening, now))
    position = queue_position(session, ticket_id)
    parts = [content.text("handoff_staff_available", position=max(position, 1))]
    wait = typical_wait(session, now)
    if wait is None:
        parts.append(content.text("handoff_wait_unknown"))
    else:
        parts.append(content.text("handoff_typical_wait", wait=format_wait(wait)))
    return " ".join(parts)
