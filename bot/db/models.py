"""The council's data as tables: addresses, collection rounds, bank-holiday changes,
service requests with their status history, and failed status look-ups.

The schema itself is created by the Alembic migrations in bot/db/migrations,
never by `create_all`: keep the two in step.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import relationship

from bot.db.base import Base
from bot.db.text import PlainString, PlainText
from bot.db.types import UtcDateTime

OPEN_STATUSES = ("received", "in_progress", "scheduled")
CLOSED_STATUSES = ("completed", "closed")
STATUSES = OPEN_STATUSES + CLOSED_STATUSES
CHANNELS = ("web", "sms", "phone", "email", "import")

# One open missed-bin report per address and bin: enforced by the database so two
# conversations reporting at the same moment cannot both open one.
OPEN_MISSED_BIN_WHERE = (
    "category = 'missed_bin' AND uprn IS NOT NULL AND bin_stream IS NOT NULL "
    "AND status IN ('received', 'in_progress', 'scheduled')"
)


class CollectionRound(Base):
    """A collection round: the crew's day and pattern that a group of addresses shares."""

    __tablename__ = "collection_rounds"

    code = Column(String(32), primary_key=True)
    streams = relationship("RoundStream", back_populates="round", lazy="selectin")


class RoundStream(Base):
    """One waste stream of a round: its container and when it is collected.

    Collections fall every `interval_days` days from `first_collection`.
    """

    __tablename__ = "round_streams"

    round_code = Column(String(32), ForeignKey("collection_rounds.code"), primary_key=True)
    stream = Column(String(32), primary_key=True)
    container = Column(String(64), nullable=False)
    frequency = Column(String(16), nullable=False)
    interval_days = Column(Integer, nullable=False)
    first_collection = Column(Date, nullable=False)
    notes = Column(String(200), nullable=False, default="")

    round = relationship("CollectionRound", back_populates="streams")


class CollectionChange(Base):
    """A bank-holiday change: a collection due on `normal_date` happens on `actual_date`."""

    __tablename__ = "collection_changes"

    normal_date = Column(Date, primary_key=True)
    actual_date = Column(Date, nullable=False)
    reason = Column(String(100), nullable=False, default="")


class Address(Base):
    """A property the council collects from, by its UPRN."""

    __tablename__ = "addresses"

    uprn = Column(String(12), primary_key=True)
    house = Column(String(100), nullable=False)
    street = Column(String(100), nullable=False)
    town = Column(String(64), nullable=False)
    postcode = Column(String(8), nullable=False, index=True)
    round_code = Column(String(32), ForeignKey("collection_rounds.code"), nullable=False)
    garden_waste = Column(Boolean, nullable=False, default=False)


class ServiceRequest(Base):
    """A resident's report (missed bin, pothole ...) and where it has got to.

    Contact details are stored only when the resident agreed to be contacted.
    """

    __tablename__ = "service_requests"

    id = Column(Integer, primary_key=True, autoincrement=True)
    reference = Column(String(9), nullable=False, unique=True)
    category = Column(String(32), nullable=False)
    status = Column(String(16), nullable=False)
    postcode = Column(String(8), nullable=True)
    location = Column(PlainString(200), nullable=False)
    description = Column(PlainText, nullable=False, default="")
    uprn = Column(String(12), nullable=True)
    bin_stream = Column(String(32), nullable=True)
    collection_date = Column(Date, nullable=True)
    channel = Column(String(16), nullable=False)
    contact_phone = Column(PlainString(32), nullable=True)
    contact_email = Column(PlainString(254), nullable=True)
    created_at = Column(UtcDateTime, nullable=False)
    updated_at = Column(UtcDateTime, nullable=False)

    updates = relationship(
        "StatusUpdateRecord",
        back_populates="request",
        order_by="StatusUpdateRecord.at",
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    __table_args__ = (
        Index(
            "uq_service_requests_open_missed_bin",
            "uprn",
            "bin_stream",
            unique=True,
            sqlite_where=text(OPEN_MISSED_BIN_WHERE),
            postgresql_where=text(OPEN_MISSED_BIN_WHERE),
        ),
    )


class StatusUpdateRecord(Base):
    """One change of a request's status, with the note the resident may read."""

    __tablename__ = "service_request_updates"

    id = Column(Integer, primary_key=True, autoincrement=True)
    request_id = Column(
        Integer, ForeignKey("service_requests.id", ondelete="CASCADE"), nullable=False
    )
    status = Column(String(16), nullable=False)
    at = Column(UtcDateTime, nullable=False)
    note = Column(PlainString(500), nullable=False, default="")

    request = relationship("ServiceRequest", back_populates="updates")

    __table_args__ = (UniqueConstraint("request_id", "at", "status"),)


class FailedStatusLookup(Base):
    """A status look-up that found nothing, by a hash of the conversation id (never the id)."""

    __tablename__ = "status_lookup_failures"

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_hash = Column(String(64), nullable=False, index=True)
    at = Column(UtcDateTime, nullable=False, index=True)
