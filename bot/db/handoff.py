"""Models for the staff handoff queue: tickets, their messages, staff, audit log, sign-ins."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import relationship

from bot.db.base import Base
from bot.db.text import PlainString, PlainText
from bot.db.types import UtcDateTime

AUTHOR_KINDS = ("resident", "bot", "staff", "note", "event")
ROLES = ("advisor", "supervisor")
STATUSES = ("waiting", "claimed", "resolved", "cancelled")
OUTCOMES = ("answered", "transferred", "no_response")
PRIORITIES = {"urgent": 0, "normal": 1}


class StaffAccount(Base):
    """A member of staff who can sign in to the queue."""

    __tablename__ = "staff_accounts"

    id = Column(Integer, primary_key=True)
    username = Column(String(64), nullable=False, unique=True)
    role = Column(String(16), nullable=False)
    password_hash = Column(String(255), nullable=False)
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(UtcDateTime, nullable=False)

    @property
    def is_supervisor(self) -> bool:
        return self.role == "supervisor"


class HandoffTicket(Base):
    """A conversation handed to a person; one open ticket per conversation."""

    __tablename__ = "handoff_tickets"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(PlainString(128), nullable=False, index=True)
    # Equal to conversation_id while the ticket is open, NULL once closed: the unique
    # constraint then allows one open ticket per conversation on SQLite and PostgreSQL.
    open_conversation_id = Column(PlainString(128), unique=True)
    channel = Column(String(32), nullable=False)
    topic = Column(PlainString(64), nullable=False)
    reason = Column(PlainString(200), nullable=False)
    priority = Column(String(16), nullable=False)
    priority_rank = Column(Integer, nullable=False)
    status = Column(String(16), nullable=False, index=True)
    contact = Column(PlainString(200))
    created_at = Column(UtcDateTime, nullable=False)
    claimed_by = Column(Integer, ForeignKey("staff_accounts.id"))
    claimed_at = Column(UtcDateTime)
    closed_at = Column(UtcDateTime)
    outcome = Column(String(16))

    messages = relationship(
        "TicketMessage", order_by="TicketMessage.id", back_populates="ticket", lazy="selectin"
    )
    claimant = relationship("StaffAccount", lazy="joined")

    __table_args__ = (Index("ix_handoff_tickets_queue", "status", "priority_rank", "created_at"),)


class TicketMessage(Base):
    """One turn of a ticket's transcript: resident, bot, staff reply, internal note or event."""

    __tablename__ = "handoff_messages"

    id = Column(Integer, primary_key=True)
    ticket_id = Column(Integer, ForeignKey("handoff_tickets.id"), nullable=False, index=True)
    author_kind = Column(String(16), nullable=False)
    staff_id = Column(Integer, ForeignKey("staff_accounts.id"))
    text = Column(PlainText, nullable=False)
    intent = Column(PlainString(64))
    created_at = Column(UtcDateTime, nullable=False)

    ticket = relationship("HandoffTicket", back_populates="messages")
    staff = relationship("StaffAccount", lazy="joined")


class AuditEntry(Base):
    """Who did what, when: every staff action on the queue."""

    __tablename__ = "handoff_audit"

    id = Column(Integer, primary_key=True)
    at = Column(UtcDateTime, nullable=False, index=True)
    staff_id = Column(Integer, ForeignKey("staff_accounts.id"))
    ticket_id = Column(Integer, ForeignKey("handoff_tickets.id"), index=True)
    action = Column(String(32), nullable=False)
    detail = Column(String(500), nullable=False, default="")


class StaffSession(Base):
    """A signed-in browser or API client: the cookie holds a token, the database its hash."""

    __tablename__ = "staff_sessions"

    id = Column(Integer, primary_key=True)
    token_hash = Column(String(64), nullable=False, unique=True)
    staff_id = Column(Integer, ForeignKey("staff_accounts.id"), nullable=False, index=True)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(UtcDateTime, nullable=False)
    expires_at = Column(UtcDateTime, nullable=False)

    staff = relationship("StaffAccount", lazy="joined")


class SignInAttempt(Base):
    """A sign-in attempt, kept to throttle by account, by address and by known device."""

    __tablename__ = "staff_sign_in_attempts"

    id = Column(Integer, primary_key=True)
    username = Column(String(64), nullable=False, index=True)
    ip = Column(String(64), nullable=False, index=True)
    at = Column(UtcDateTime, nullable=False, index=True)
    succeeded = Column(Boolean, nullable=False)
    # The known-device id from the browser's signed cookie, when it had one (0007).
    device = Column(String(64), nullable=True, index=True)


class KnownDevice(Base):
    """A browser that signed in to an account: its cookie holds an id, the database its hash.
    The right password from it gets in while the account or address is throttled."""

    __tablename__ = "staff_known_devices"

    id = Column(Integer, primary_key=True)
    device_hash = Column(String(64), nullable=False, unique=True)
    staff_id = Column(Integer, ForeignKey("staff_accounts.id"), nullable=False, index=True)
    created_at = Column(UtcDateTime, nullable=False)
    last_signed_in_at = Column(UtcDateTime, nullable=False, index=True)


def utcnow() -> datetime:
    """The current time, timezone-aware (UTC)."""
    return datetime.now(timezone.utc)
