"""Service alerts: what happened, where (areas), about what (topics), and when.

An area is written as staff think of it:
  "council"      the whole council
  "OB1"          a postcode district
  "OB1 2"        a postcode sector
  "round:MON-A"  a collection round
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.content import get_content
from bot.db.models import Address, CollectionRound
from bot.db.notifications import SUBSCRIPTION_ACTIVE, NotificationSubscription, ServiceAlert

TOPICS = ("bins", "roads", "council_tax", "housing", "general")
MAX_MESSAGE = 300
MAX_AREAS = 20
_DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]?$")
_SECTOR = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]? [0-9]$")


class AlertError(ValueError):
    """An alert that cannot be published as given; the message says what to fix."""


@dataclass(frozen=True)
class AlertInfo:
    """A plain copy of one alert."""

    id: int
    message: str
    areas: tuple[str, ...]
    topics: tuple[str, ...]
    starts_at: datetime
    ends_at: datetime
    created_by: str


def _info(row: ServiceAlert) -> AlertInfo:
    return AlertInfo(
        row.id,
        row.message,
        tuple(row.areas.split("|")),
        tuple(row.topics.split()),
        row.starts_at,
        row.ends_at,
        row.created_by,
    )


def parse_areas(session: Session, text: str) -> tuple[str, ...]:
    """Areas from staff input, one per line or comma-separated; raises AlertError if any is
    not a district, sector, known round or "council"."""
    parts = [p.strip() for p in re.split(r"[,\n]", str(text or "")[:1000]) if p.strip()]
    if not parts:
        raise AlertError("Say which areas the alert is for.")
    if len(parts) > MAX_AREAS:
        raise AlertError(f"Give at most {MAX_AREAS} areas.")
    areas: list[str] = []
    for part in parts:
        upper = re.sub(r"\s+", " ", part.upper())
        if upper == "COUNCIL":
            area = "council"
        elif upper.startswith("ROUND:"):
            code = upper.split(":", 1)[1].strip()
            if session.get(CollectionRound, code) is None:
                raise AlertError(f"There is no collection round called {code}.")
            area = f"round:{code}"
        elif _DISTRICT.match(upper) or _SECTOR.match(upper):
            area = upper
        else:
            raise AlertError(f"{part[:40]} is not a postcode district, sector or round.")
        if area not in areas:
            areas.append(area)
    return tuple(areas)


def address_in_areas(postcode: str, round_code: str, areas: tuple[str, ...]) -> bool:
    """True when an address (its postcode and round) lies in any of `areas`."""
    district = postcode.split(" ", 1)[0]
    sector = postcode[:-2] if len(postcode) > 2 else postcode
    covering = ("council", district, sector, f"round:{round_code}")
    return any(area in covering for area in areas)


def create_alert(
    session: Session,
    *,
    message: str,
    areas: tuple[str, ...],
    topics: tuple[str, ...],
    starts_at: datetime,
    ends_at: datetime,
    created_by: str,
    now: datetime,
) -> AlertInfo:
    """Store an alert (areas already parsed); raises AlertError for bad text, topics or times."""
    message = " ".join(str(message or "").split())
    if not message or len(message) > MAX_MESSAGE:
        raise AlertError(f"Write what happened in 1 to {MAX_MESSAGE} characters.")
    if not topics or any(topic not in TOPICS for topic in topics):
        raise AlertError(f"Choose topics from: {', '.join(TOPICS)}.")
    if not areas:
        raise AlertError("Say which areas the alert is for.")
    if ends_at <= starts_at or ends_at <= now:
        raise AlertError("The end must be after the start and in the future.")
    row = ServiceAlert(
        message=message, areas="|".join(areas), topics=" ".join(dict.fromkeys(topics)),
        starts_at=starts_at, ends_at=ends_at, created_by=created_by[:64], created_at=now,
    )  # fmt: skip
    session.add(row)
    session.flush()
    return _info(row)


def get_alert(session: Session, alert_id: int) -> AlertInfo | None:
    """One alert by id."""
    row = session.get(ServiceAlert, alert_id)
    return _info(row) if row is not None else None


def alert_recipients(session: Session, areas: tuple[str, ...]) -> list[NotificationSubscription]:
    """Active subscriptions that agreed to alerts for an address in `areas`, oldest first."""
    rows = session.execute(
        select(NotificationSubscription, Address.postcode, Address.round_code)
        .join(Address, Address.uprn == NotificationSubscription.uprn)
        .where(NotificationSubscription.status == SUBSCRIPTION_ACTIVE)
        .where(NotificationSubscription.alerts.is_(True))
        .order_by(NotificationSubscription.id)
    ).all()
    return [
        sub for sub, postcode, round_code in rows if address_in_areas(postcode, round_code, areas)
    ]


def count_recipients(session: Session, areas: tuple[str, ...]) -> int:
    """How many subscriptions an alert for `areas` would go to (shown before publishing)."""
    return len(alert_recipients(session, areas))


def _live(session: Session, now: datetime) -> list[ServiceAlert]:
    """Every alert live at `now`, newest first."""
    return list(
        session.scalars(
            select(ServiceAlert)
            .where(ServiceAlert.starts_at <= now)
            .where(ServiceAlert.ends_at > now)
            .order_by(ServiceAlert.starts_at.desc(), ServiceAlert.id.desc())
        ).all()
    )


def active_alerts_for(session: Session, uprn: str, topic: str, now: datetime) -> list[AlertInfo]:
    """Alerts live at `now` that cover the address and touch `topic`, newest first."""
    address = session.get(Address, uprn) if isinstance(uprn, str) and len(uprn) <= 12 else None
    if address is None:
        return []
    rows = _live(session, now)
    return [
        _info(row)
        for row in rows
        if topic in row.topics.split()
        and address_in_areas(address.postcode, address.round_code, tuple(row.areas.split("|")))
    ]


def active_alerts_for_postcode(
    session: Session, postcode: str, topic: str | None, now: datetime
) -> list[AlertInfo]:
    """Alerts live at `now` covering any address at `postcode` (for the widget's banner);
    all topics when `topic` is None."""
    rounds = set(
        session.scalars(select(Address.round_code).where(Address.postcode == postcode)).all()
    )
    if not rounds:
        return []
    rows = _live(session, now)
    return [
        _info(row)
        for row in rows
        if (topic is None or topic in row.topics.split())
        and any(address_in_areas(postcode, code, tuple(row.areas.split("|"))) for code in rounds)
    ]


# ---- the public feed (the web widget's banner): no staff names, places in plain English ----

MAX_PUBLIC_ALERTS = 20
_ROUND_DAYS = {
    "MON": "Monday",
    "TUE": "Tuesday",
    "WED": "Wednesday",
    "THU": "Thursday",
    "FRI": "Friday",
    "SAT": "Saturday",
    "SUN": "Sunday",
}
_DAY_ROUND = re.compile(r"^(MON|TUE|WED|THU|FRI|SAT|SUN)-([A-Z0-9]{1,3})$")


@dataclass(frozen=True)
class PublicAlert:
    """What anyone may read about a live alert: never who created it.

    `places` describes each area in plain English ("OB1 2 postcodes", "Monday round A");
    it is empty when `whole_council` is true.
    """

    id: int
    message: str
    topics: tuple[str, ...]
    starts_at: datetime
    ends_at: datetime
    whole_council: bool
    places: tuple[str, ...]


def round_description(code: str, name: str | None = None) -> str:
    """A collection round as residents say it: its name if it has one, else "Monday round A"
    for a code like MON-A, else "collection round XYZ"."""
    content = get_content()
    if name and name.strip():
        return name.strip()
    day_round = _DAY_ROUND.match(code)
    if day_round:
        return content.text(
            "alert_area_round_day", day=_ROUND_DAYS[day_round[1]], letter=day_round[2]
        )
    return content.text("alert_area_round", code=code)


def _place(area: str, round_names: dict[str, str | None]) -> str:
    if area.startswith("round:"):
        code = area.split(":", 1)[1]
        return round_description(code, round_names.get(code))
    return get_content().text("alert_area_postcodes", area=area)


def live_public_alerts(
    session: Session, topic: str | None, now: datetime, limit: int = MAX_PUBLIC_ALERTS
) -> list[PublicAlert]:
    """Every alert live at `now` (touching `topic`, or any topic when None), newest first,
    at most `limit` of them, with the places each covers described for residents."""
    rows = _live(session, now)
    chosen = [row for row in rows if topic is None or topic in row.topics.split()]
    chosen = chosen[: max(0, limit)]
    codes = {
        area.split(":", 1)[1]
        for row in chosen
        for area in row.areas.split("|")
        if area.startswith("round:")
    }
    rounds = (
        session.scalars(select(CollectionRound).where(CollectionRound.code.in_(codes))).all()
        if codes
        else []
    )
    # A round's display name, if the data ever carries one (the demo data does not).
    round_names = {r.code: getattr(r, "name", None) for r in rounds}
    found: list[PublicAlert] = []
    for row in chosen:
        areas = row.areas.split("|")
        whole = "council" in areas
        places = () if whole else tuple(dict.fromkeys(_place(a, round_names) for a in areas))
        found.append(
            PublicAlert(
                row.id,
                row.message,
                tuple(row.topics.split()),
                row.starts_at,
                row.ends_at,
                whole,
                places,
            )
        )
    return found
