"""SQLAlchemy rows: the shape of the data as stored, not the domain.

Statuses, platforms and kinds are plain strings because ``core/`` owns their values;
the database only keeps them. The schema itself is created by Alembic migrations, never by
``metadata.create_all``; these classes must stay equal to what the migrations build (a test
compares them).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, ClassVar

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from db.types import BigIntId, JSONDocument, UTCDateTime

# Stable constraint names, so that later migrations can refer to (and drop) them by name.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base: every ``Mapped[datetime]`` is an aware UTC timestamp."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime}


def _id() -> Mapped[int]:
    return mapped_column(BigIntId, primary_key=True, autoincrement=True)


def _member_fk(*, nullable: bool, ondelete: str | None = None) -> Mapped[Any]:
    return mapped_column(BigIntId, ForeignKey("members.id", ondelete=ondelete), nullable=nullable)


def _false() -> Mapped[bool]:
    return mapped_column(Boolean, nullable=False, default=False, server_default=text("false"))


class Timestamps:
    """``created_at``/``updated_at``; repositories set both from the domain clock."""

    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class MemberRow(Timestamps, Base):
    __tablename__ = "members"

    id: Mapped[int] = _id()
    display_name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    is_admin: Mapped[bool] = _false()
    # "settings" (MENTORBOT_ADMINS, withdrawn when removed from it) or "product"
    # (grant_admin, kept); NULL when not an admin. Migration 0006.
    admin_source: Mapped[str | None] = mapped_column(String(16))


class MemberIdentityRow(Base):
    """One (platform, external id) pair; a member may have one per platform."""

    __tablename__ = "member_identities"

    __table_args__ = (
        UniqueConstraint("platform", "external_id"),
        Index(None, "member_id"),
    )

    id: Mapped[int] = _id()
    member_id: Mapped[int] = _member_fk(nullable=False, ondelete="CASCADE")
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(128))
    unreachable_at: Mapped[datetime | None]  # the platform said 403: blocked or gone


class MentorProfileRow(Timestamps, Base):
    __tablename__ = "mentor_profiles"
    __table_args__ = (
        CheckConstraint("years_experience BETWEEN 0 AND 80", name="years_experience_range"),
    )

    member_id: Mapped[int] = mapped_column(
        BigIntId, ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    domain: Mapped[str] = mapped_column(String(200))
    years_experience: Mapped[int] = mapped_column(Integer)
    bio: Mapped[str] = mapped_column(Text)
    expertise_tags: Mapped[list[str]] = mapped_column(JSONDocument)
    status: Mapped[str] = mapped_column(String(16))
    meeting_link: Mapped[str | None] = mapped_column(String(500))
    approved_by: Mapped[int | None] = _member_fk(nullable=True)
    approved_at: Mapped[datetime | None]


class AvailabilityWindowRow(Base):
    """A weekly window in the mentor's own time zone (the seed's mini_mentorship_availability)."""

    __tablename__ = "availability_windows"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("start_time < end_time", name="starts_before_end"),
        Index(None, "mentor_id"),
    )

    id: Mapped[int] = _id()
    mentor_id: Mapped[int] = mapped_column(
        BigIntId, ForeignKey("mentor_profiles.member_id", ondelete="CASCADE")
    )
    weekday: Mapped[int] = mapped_column(SmallInteger)  # 0 = Monday
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)


class MentorshipRequestRow(Timestamps, Base):
    __tablename__ = "mentorship_requests"
    __table_args__ = (
        # A repeated submission (double tap, retried update, repost) finds the first one;
        # the constraint makes that hold under concurrency too. NULL keys never collide.
        UniqueConstraint("student_id", "submission_key"),
        Index(None, "student_id", "status"),
        Index(None, "status", "expires_at"),
        Index(None, "session_type"),
        Index(None, "updated_at"),
        Index(None, "claimed_by"),
    )

    id: Mapped[int] = _id()
    student_id: Mapped[int] = _member_fk(nullable=False)
    session_type: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    extra: Mapped[dict[str, str]] = mapped_column(JSONDocument)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    urgency: Mapped[str] = mapped_column(String(8))
    available_from: Mapped[date] = mapped_column(Date)
    available_until: Mapped[date] = mapped_column(Date)
    tags: Mapped[list[str]] = mapped_column(JSONDocument)
    preferred_mentor_id: Mapped[int | None] = _member_fk(nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    claimed_by: Mapped[int | None] = _member_fk(nullable=True)
    claimed_at: Mapped[datetime | None]
    expires_at: Mapped[datetime]
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    quota_refunded: Mapped[bool] = _false()
    last_announced_at: Mapped[datetime | None]
    is_deleted: Mapped[bool] = _false()
    deleted_at: Mapped[datetime | None]  # withdrawn or hidden then (never hard-deleted)
    submission_key: Mapped[str | None] = mapped_column(String(200))
    # a request addressed to one mentor (migration 0008): may it open to every mentor,
    # and until when only the chosen mentor may claim it (NULL: open to every mentor)
    open_to_others: Mapped[bool] = _false()
    exclusive_until: Mapped[datetime | None]
    # the student's own hours in their zone, canonical text "07:00-12:00,17:00-22:00"
    # (core.hours; migration 0007)
    student_hours: Mapped[str] = mapped_column(String(200), server_default="07:00-22:00")


class MentorshipSessionRow(Timestamps, Base):
    """The seeds' ``mentorship_sessions`` row; ``student_id`` is the seed's ``user_id``."""

    __tablename__ = "mentorship_sessions"
    __table_args__ = (
        CheckConstraint("session_rating >= 1 AND session_rating <= 5", name="session_rating_range"),
        Index(None, "session_type"),
        Index(None, "scheduled_at"),
        Index(None, "updated_at"),
        Index(None, "mentor_id", "status", "scheduled_at"),
        Index(None, "student_id", "status"),
    )

    id: Mapped[int] = _id()
    request_id: Mapped[int] = mapped_column(
        BigIntId, ForeignKey("mentorship_requests.id"), unique=True
    )
    mentor_id: Mapped[int] = _member_fk(nullable=False)
    student_id: Mapped[int] = _member_fk(nullable=False)
    session_type: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    scheduled_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    duration_minutes: Mapped[int] = mapped_column(Integer)  # planned
    meeting_link: Mapped[str | None] = mapped_column(String(500))
    completed_at: Mapped[datetime | None]
    notes: Mapped[str | None] = mapped_column(Text)
    mentor_notes: Mapped[str | None] = mapped_column(Text)  # private to mentors
    session_duration_minutes: Mapped[int | None] = mapped_column(Integer)  # actual
    session_rating: Mapped[int | None] = mapped_column(Integer)
    session_feedback: Mapped[str | None] = mapped_column(Text)
    no_show_by: Mapped[str | None] = mapped_column(String(16))
    is_deleted: Mapped[bool] = _false()
    deleted_at: Mapped[datetime | None]
    # a no-show report, its dispute by the other side, and an admin's settlement
    no_show_at: Mapped[datetime | None]
    disputed_at: Mapped[datetime | None]
    disputed_by: Mapped[int | None] = _member_fk(nullable=True)
    settled_at: Mapped[datetime | None]
    settled_by: Mapped[int | None] = _member_fk(nullable=True)
    settled_as: Mapped[str | None] = mapped_column(String(16))
    # why a person is moving the session, kept from "Reschedule" until they pick the new
    # time (the move's event and message carry it); migration 0010
    move_reason: Mapped[str | None] = mapped_column(Text)
    move_reason_by: Mapped[int | None] = mapped_column(BigIntId)


class SessionNoteRow(Base):
    """One private note a mentor wrote about a session: append-only, never edited."""

    __tablename__ = "session_notes"
    __table_args__ = (Index(None, "session_id"),)

    id: Mapped[int] = _id()
    session_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("mentorship_sessions.id"))
    author_id: Mapped[int] = _member_fk(nullable=False)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class TransitionEventRow(Base):
    """One status change of a request, session or mentor; ``actor_id`` NULL is the system."""

    __tablename__ = "transition_events"
    __table_args__ = (Index(None, "entity", "entity_id"),)

    id: Mapped[int] = _id()
    entity: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[int] = mapped_column(BigIntId)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = _member_fk(nullable=True)
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime]


class NotificationRow(Base):
    """An outgoing message with a due time: the outbox that reminders and expiry run from.

    ``dedup_key`` makes scheduling idempotent; ``lease_until`` lets several processes share
    the queue without sending an item twice.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        Index(
            None,
            "due_at",
            postgresql_where=text("status = 'PENDING'"),
            sqlite_where=text("status = 'PENDING'"),
        ),
        Index(None, "request_id"),
        Index(None, "session_id"),
        # the feed's health, read with every submission (feed_problem): the few pending
        # rows that failed, not every reminder booked ahead
        Index(
            None,
            "audience",
            postgresql_where=text("status = 'PENDING' AND last_error IS NOT NULL"),
            sqlite_where=text("status = 'PENDING' AND last_error IS NOT NULL"),
        ),
    )

    id: Mapped[int] = _id()
    audience: Mapped[str] = mapped_column(String(16))
    recipient_id: Mapped[int | None] = _member_fk(nullable=True)
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    due_at: Mapped[datetime]
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="PENDING", server_default="PENDING")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    lease_until: Mapped[datetime | None]
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    progress: Mapped[list[str] | None] = mapped_column(JSONDocument)  # addresses done
    last_error: Mapped[str | None] = mapped_column(Text)
    request_id: Mapped[int | None] = mapped_column(BigIntId, ForeignKey("mentorship_requests.id"))
    session_id: Mapped[int | None] = mapped_column(BigIntId, ForeignKey("mentorship_sessions.id"))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class IdempotencyKeyRow(Base):
    """A platform update already handled; inserting its key twice fails, so it acts once."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (Index(None, "created_at"),)  # the purge of old keys

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    created_at: Mapped[datetime]


class ConversationStateRow(Base):
    """A front-end's half-finished conversation (a form, a pending choice), so it
    survives a restart of the bot; the key names platform, chat and conversation."""

    __tablename__ = "conversation_state"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    updated_at: Mapped[datetime]
    # bumped by every write: a process writes only over the version it read
    version: Mapped[int] = mapped_column(default=0, server_default="0")


class FeedPostRow(Base):
    """Where a request's card was posted, so later changes edit that message."""

    __tablename__ = "feed_posts"
    __table_args__ = (UniqueConstraint("request_id", "platform", "chat_id"),)

    id: Mapped[int] = _id()
    request_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("mentorship_requests.id"))
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(128))
    message_ref: Mapped[str] = mapped_column(String(128))  # message id / Slack ts
    created_at: Mapped[datetime]
