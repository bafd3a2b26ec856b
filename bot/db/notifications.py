"""Reminder and alert tables: consent records, subscriptions, one-time codes, deliveries.

A consent record is never deleted: withdrawing consent stamps `withdrawn_at`.
A delivery row is written under a UNIQUE idempotency key *before* anything is
sent, so a second scheduler or a re-run after a crash finds the key taken.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
)

from bot.db.base import Base
from bot.db.text import PlainString, PlainText
from bot.db.types import UtcDateTime

SUBSCRIPTION_PENDING = "pending"  # waiting for its one-time code (web sign-ups)
SUBSCRIPTION_ACTIVE = "active"
SUBSCRIPTION_STOPPED = "stopped"

DELIVERY_CLAIMED = "claimed"  # key stored, not yet handed to the sender
DELIVERY_SENT = "sent"
DELIVERY_FAILED = "failed"
DELIVERY_SUPPRESSED = "suppressed"  # opted out by the time it went

CONTACT_SMS = "sms"
CONTACT_EMAIL = "email"


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class NotificationConsent(Base):
    """What a resident agreed to, in the words shown, and when; withdrawal is recorded."""

    __tablename__ = "notification_consents"

    id = Column(Integer, primary_key=True)
    contact_hash = Column(String(128), index=True, nullable=False)
    channel = Column(String(16), nullable=False)  # where consent was given: sms, web
    agreed_to = Column(String(64), nullable=False)  # "reminders", "alerts" or "reminders,alerts"
    wording = Column(PlainText, nullable=False)
    given_at = Column(UtcDateTime, nullable=False, default=utcnow)
    confirmed_at = Column(UtcDateTime)
    withdrawn_at = Column(UtcDateTime)
    withdrawn_how = Column(String(32))  # "sms_stop", "conversation", "email_link" ...


class NotificationSubscription(Base):
    """One contact's reminders/alerts for one address; only what sending needs."""

    __tablename__ = "notification_subscriptions"

    id = Column(Integer, primary_key=True)
    consent_id = Column(ForeignKey("notification_consents.id"), nullable=False, index=True)
    contact_kind = Column(String(8), nullable=False)  # sms or email
    contact = Column(String(254), nullable=False)  # needed to send: E.164 or email
    contact_hash = Column(String(128), index=True, nullable=False)
    uprn = Column(String(12), nullable=False, index=True)
    reminders = Column(Boolean, nullable=False, default=True)
    alerts = Column(Boolean, nullable=False, default=True)
    status = Column(String(16), nullable=False, index=True, default=SUBSCRIPTION_PENDING)
    unsubscribe_token = Column(String(64), nullable=False, unique=True)
    created_at = Column(UtcDateTime, nullable=False, default=utcnow)
    stopped_at = Column(UtcDateTime)


class NotificationCode(Base):
    """A one-time code confirming a contact (double opt-in); locked after 3 wrong tries."""

    __tablename__ = "notification_codes"

    id = Column(Integer, primary_key=True)
    subscription_id = Column(
        ForeignKey("notification_subscriptions.id"), nullable=False, index=True
    )
    code_hash = Column(String(128), nullable=False)
    attempts = Column(Integer, nullable=False, default=0)
    created_at = Column(UtcDateTime, nullable=False, default=utcnow)
    expires_at = Column(UtcDateTime, nullable=False)
    used_at = Column(UtcDateTime)
    locked_at = Column(UtcDateTime)


class ReminderDelivery(Base):
    """One bin-day reminder for one subscription and collection date, claimed before sending."""

    __tablename__ = "reminder_deliveries"

    id = Column(Integer, primary_key=True)
    idempotency_key = Column(String(128), nullable=False, unique=True)
    subscription_id = Column(
        ForeignKey("notification_subscriptions.id"), nullable=False, index=True
    )
    contact_hash = Column(String(128), nullable=False, index=True)
    collection_date = Column(Date, nullable=False)
    body = Column(PlainText, nullable=False)
    status = Column(String(16), nullable=False, default=DELIVERY_CLAIMED)
    claimed_at = Column(UtcDateTime, nullable=False, default=utcnow, index=True)
    finished_at = Column(UtcDateTime)
    last_error = Column(String(500))


class ServiceAlert(Base):
    """A supervisor's published alert: what happened, where, about what, and when."""

    __tablename__ = "service_alerts"

    id = Column(Integer, primary_key=True)
    message = Column(PlainString(480), nullable=False)
    # Space-separated area codes: "council", "OB1", "OB1 2", "round:MON-A".
    areas = Column(String(500), nullable=False)
    topics = Column(String(200), nullable=False)  # space-separated, e.g. "bins"
    starts_at = Column(UtcDateTime, nullable=False)
    ends_at = Column(UtcDateTime, nullable=False)
    created_by = Column(String(64), nullable=False)
    created_at = Column(UtcDateTime, nullable=False, default=utcnow)


class AlertDelivery(Base):
    """One alert to one subscription, claimed under a unique key before sending."""

    __tablename__ = "alert_deliveries"

    id = Column(Integer, primary_key=True)
    idempotency_key = Column(String(128), nullable=False, unique=True)
    alert_id = Column(ForeignKey("service_alerts.id"), nullable=False, index=True)
    subscription_id = Column(
        ForeignKey("notification_subscriptions.id"), nullable=False, index=True
    )
    contact_hash = Column(String(128), nullable=False, index=True)
    status = Column(String(16), nullable=False, default=DELIVERY_CLAIMED)
    claimed_at = Column(UtcDateTime, nullable=False, default=utcnow, index=True)
    finished_at = Column(UtcDateTime)
    last_error = Column(String(500))
