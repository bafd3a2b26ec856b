"""Subscribing to bin-day reminders and service alerts, listing and stopping them.

Every subscription points at a consent record holding the words the resident
agreed to. Stopping never deletes: the subscription is marked stopped and its
consent record gets `withdrawn_at` and how it was withdrawn.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.notifications import (
    CONTACT_EMAIL,
    CONTACT_SMS,
    SUBSCRIPTION_ACTIVE,
    SUBSCRIPTION_PENDING,
    SUBSCRIPTION_STOPPED,
    NotificationConsent,
    NotificationSubscription,
)
from bot.privacy import hash_identifier
from bot.settings import get_settings

MAX_WORDING = 2000


class SubscriptionError(ValueError):
    """A subscription that cannot be made as asked (bad contact kind, wording ...)."""


@dataclass(frozen=True)
class SubscriptionInfo:
    """A plain copy of one subscription, safe after its session closes."""

    id: int
    contact_kind: str
    contact_hash: str
    uprn: str
    reminders: bool
    alerts: bool
    status: str
    unsubscribe_token: str


def _info(row: NotificationSubscription) -> SubscriptionInfo:
    return SubscriptionInfo(
        id=row.id,
        contact_kind=row.contact_kind,
        contact_hash=row.contact_hash,
        uprn=row.uprn,
        reminders=row.reminders,
        alerts=row.alerts,
        status=row.status,
        unsubscribe_token=row.unsubscribe_token,
    )


def subscribe(
    session: Session,
    *,
    contact_kind: str,
    contact: str,
    uprn: str,
    channel: str,
    wording: str,
    now: datetime,
    reminders: bool = True,
    alerts: bool = True,
    confirmed: bool = True,
) -> SubscriptionInfo:
    """Record consent and a subscription for `contact` (already validated and normalised).

    `confirmed` is True when the contact is proven already (a text from that
    number); otherwise the subscription waits as pending for its one-time code.
    """
    if contact_kind not in (CONTACT_SMS, CONTACT_EMAIL):
        raise SubscriptionError(f"unknown contact kind {contact_kind!r}")
    if not (reminders or alerts):
        raise SubscriptionError("a subscription needs reminders, alerts or both")
    if not wording.strip() or len(wording) > MAX_WORDING:
        raise SubscriptionError("the consent wording must be given, at most 2000 characters")
    if not contact or len(contact) > 254 or not uprn or len(uprn) > 12:
        raise SubscriptionError("contact or address is missing or too long")
    contact_hash = hash_identifier(contact)
    agreed = ",".join(name for name, on in (("reminders", reminders), ("alerts", alerts)) if on)
    consent = NotificationConsent(
        contact_hash=contact_hash,
        channel=channel[:16],
        agreed_to=agreed,
        wording=wording,
        given_at=now,
        confirmed_at=now if confirmed else None,
    )
    session.add(consent)
    session.flush()
    row = NotificationSubscription(
        consent_id=consent.id,
        contact_kind=contact_kind,
        contact=contact,
        contact_hash=contact_hash,
        uprn=uprn,
        reminders=reminders,
        alerts=alerts,
        status=SUBSCRIPTION_ACTIVE if confirmed else SUBSCRIPTION_PENDING,
        unsubscribe_token=secrets.token_urlsafe(32),
        created_at=now,
    )
    session.add(row)
    session.flush()
    return _info(row)


def activate(session: Session, subscription_id: int, now: datetime) -> SubscriptionInfo | None:
    """Turn a pending subscription on once its contact is confirmed; None if not pending."""
    row = session.get(NotificationSubscription, subscription_id)
    if row is None or row.status != SUBSCRIPTION_PENDING:
        return None
    row.status = SUBSCRIPTION_ACTIVE
    consent = session.get(NotificationConsent, row.consent_id)
    if consent is not None:
        consent.confirmed_at = now
    session.flush()
    return _info(row)


def subscriptions_for(session: Session, contact: str) -> list[SubscriptionInfo]:
    """The contact's active subscriptions, oldest first."""
    rows = session.scalars(
        select(NotificationSubscription)
        .where(NotificationSubscription.contact_hash == hash_identifier(contact))
        .where(NotificationSubscription.status == SUBSCRIPTION_ACTIVE)
        .order_by(NotificationSubscription.id)
    )
    return [_info(row) for row in rows]


def _stop(session: Session, rows: list[NotificationSubscription], how: str, now: datetime) -> int:
    for row in rows:
        row.status = SUBSCRIPTION_STOPPED
        row.stopped_at = now
        consent = session.get(NotificationConsent, row.consent_id)
        if consent is not None and consent.withdrawn_at is None:
            consent.withdrawn_at = now
            consent.withdrawn_how = how[:32]
    session.flush()
    return len(rows)


def withdraw_all(session: Session, contact: str, how: str, now: datetime) -> int:
    """Stop every live subscription of `contact` (STOP by text stops all); returns how many."""
    rows = list(
        session.scalars(
            select(NotificationSubscription)
            .where(NotificationSubscription.contact_hash == hash_identifier(contact))
            .where(NotificationSubscription.status != SUBSCRIPTION_STOPPED)
        )
    )
    return _stop(session, rows, how, now)


def withdraw_by_token(session: Session, token: str, now: datetime) -> bool:
    """Stop the subscription an email's one-click link names; False for an unknown token."""
    if not token or len(token) > 64:
        return False
    row = session.scalars(
        select(NotificationSubscription).where(NotificationSubscription.unsubscribe_token == token)
    ).first()
    if row is None:
        return False
    if row.status != SUBSCRIPTION_STOPPED:
        _stop(session, [row], "email_link", now)
    return True


def unsubscribe_url(token: str, base_url: str | None = None) -> str:
    """The one-click link that stops the subscription holding `token`."""
    base = (base_url or get_settings().notifications_public_base_url).rstrip("/")
    return f"{base}/webhooks/notifications/unsubscribe/{token}"
