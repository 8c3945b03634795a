"""Initial schema: members, mentors, requests, sessions, events, notifications.

Written out in full (not imported from db.models) so that it stays a snapshot of the
schema at this revision however the models change later.

Revision ID: 0001
Revises:
Create Date: 2026-11-22 01:05:25.195457
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite only autoincrements INTEGER PRIMARY KEY; PostgreSQL gets BIGINT.
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
# Always written and read as aware UTC by db.types.UTCDateTime.
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_idempotency_keys")),
    )
    op.create_table(
        "members",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("timezone", sa.String(length=64), server_default="UTC", nullable=False),
        sa.Column("is_admin", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_members")),
    )
    op.create_table(
        "member_identities",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("member_id", ID, nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_member_identities_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_identities")),
        sa.UniqueConstraint(
            "platform", "external_id", name=op.f("uq_member_identities_platform_external_id")
        ),
    )
    op.create_index(
        op.f("ix_member_identities_member_id"), "member_identities", ["member_id"], unique=False
    )
    op.create_table(
        "mentor_profiles",
        sa.Column("member_id", ID, nullable=False),
        sa.Column("domain", sa.String(length=200), nullable=False),
        sa.Column("years_experience", sa.Integer(), nullable=False),
        sa.Column("bio", sa.Text(), nullable=False),
        sa.Column("expertise_tags", JSON_DOCUMENT, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("meeting_link", sa.String(length=500), nullable=True),
        sa.Column("approved_by", ID, nullable=True),
        sa.Column("approved_at", TIMESTAMP, nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint(
            "years_experience BETWEEN 0 AND 80",
            name=op.f("ck_mentor_profiles_years_experience_range"),
        ),
        sa.ForeignKeyConstraint(
            ["approved_by"], ["members.id"], name=op.f("fk_mentor_profiles_approved_by_members")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_mentor_profiles_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_mentor_profiles")),
    )
    op.create_table(
        "mentorship_requests",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("student_id", ID, nullable=False),
        sa.Column("session_type", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("extra", JSON_DOCUMENT, nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("urgency", sa.String(length=8), nullable=False),
        sa.Column("available_from", sa.Date(), nullable=False),
        sa.Column("available_until", sa.Date(), nullable=False),
        sa.Column("tags", JSON_DOCUMENT, nullable=False),
        sa.Column("preferred_mentor_id", ID, nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("claimed_by", ID, nullable=True),
        sa.Column("claimed_at", TIMESTAMP, nullable=True),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.Column("quota_refunded", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("last_announced_at", TIMESTAMP, nullable=True),
        sa.Column("is_deleted", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("submission_key", sa.String(length=200), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["claimed_by"], ["members.id"], name=op.f("fk_mentorship_requests_claimed_by_members")
        ),
        sa.ForeignKeyConstraint(
            ["preferred_mentor_id"],
            ["members.id"],
            name=op.f("fk_mentorship_requests_preferred_mentor_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["student_id"], ["members.id"], name=op.f("fk_mentorship_requests_student_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentorship_requests")),
        sa.UniqueConstraint(
            "student_id",
            "submission_key",
            name=op.f("uq_mentorship_requests_student_id_submission_key"),
        ),
    )
    op.create_index(
        op.f("ix_mentorship_requests_claimed_by"),
        "mentorship_requests",
        ["claimed_by"],
        unique=False,
    )
    op.create_index(
        op.f("ix_mentorship_requests_session_type"),
        "mentorship_requests",
        ["session_type"],
        unique=False,
    )
    op.create_index(
        op.f("ix_mentorship_requests_status_expires_at"),
        "mentorship_requests",
        ["status", "expires_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_mentorship_requests_student_id_status"),
        "mentorship_requests",
        ["student_id", "status"],
        unique=False,
    )
    op.create_index(
        op.f("ix_mentorship_requests_updated_at"),
        "mentorship_requests",
        ["updated_at"],
        unique=False,
    )
    op.create_table(
        "transition_events",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("entity", sa.String(length=16), nullable=False),
        sa.Column("entity_id", ID, nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("actor_id", ID, nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["members.id"], name=op.f("fk_transition_events_actor_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transition_events")),
    )
    op.create_index(
        op.f("ix_transition_events_entity_entity_id"),
        "transition_events",
        ["entity", "entity_id"],
        unique=False,
    )
    op.create_table(
        "availability_windows",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("mentor_id", ID, nullable=False),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=False),
        sa.CheckConstraint(
            "start_time < end_time", name=op.f("ck_availability_windows_starts_before_end")
        ),
        sa.CheckConstraint(
            "weekday BETWEEN 0 AND 6", name=op.f("ck_availability_windows_weekday_range")
        ),
        sa.ForeignKeyConstraint(
            ["mentor_id"],
            ["mentor_profiles.member_id"],
            name=op.f("fk_availability_windows_mentor_id_mentor_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_availability_windows")),
    )
    op.create_index(
        op.f("ix_availability_windows_mentor_id"),
        "availability_windows",
        ["mentor_id"],
        unique=False,
    )
    op.create_table(
        "mentorship_sessions",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("request_id", ID, nullable=False),
        sa.Column("mentor_id", ID, nullable=False),
        sa.Column("student_id", ID, nullable=False),
        sa.Column("session_type", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("scheduled_at", TIMESTAMP, nullable=False),
        sa.Column("ends_at", TIMESTAMP, nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("meeting_link", sa.String(length=500), nullable=True),
        sa.Column("completed_at", TIMESTAMP, nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("mentor_notes", sa.Text(), nullable=True),
        sa.Column("session_duration_minutes", sa.Integer(), nullable=True),
        sa.Column("session_rating", sa.Integer(), nullable=True),
        sa.Column("session_feedback", sa.Text(), nullable=True),
        sa.Column("no_show_by", sa.String(length=16), nullable=True),
        sa.Column("is_deleted", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint(
            "session_rating >= 1 AND session_rating <= 5",
            name=op.f("ck_mentorship_sessions_session_rating_range"),
        ),
        sa.ForeignKeyConstraint(
            ["mentor_id"], ["members.id"], name=op.f("fk_mentorship_sessions_mentor_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["mentorship_requests.id"],
            name=op.f("fk_mentorship_sessions_request_id_mentorship_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["student_id"], ["members.id"], name=op.f("fk_mentorship_sessions_student_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentorship_sessions")),
        sa.UniqueConstraint("request_id", name=op.f("uq_mentorship_sessions_request_id")),
    )
    op.create_index(
        op.f("ix_mentorship_sessions_mentor_id_status_scheduled_at"),
        "mentorship_sessions",
        ["mentor_id", "status", "scheduled_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_mentorship_sessions_scheduled_at"),
        "mentorship_sessions",
        ["scheduled_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_mentorship_sessions_session_type"),
        "mentorship_sessions",
        ["session_type"],
        unique=False,
    )
    op.create_index(
        op.f("ix_mentorship_sessions_student_id_status"),
        "mentorship_sessions",
        ["student_id", "status"],
        unique=False,
    )
    op.create_index(
        op.f("ix_mentorship_sessions_updated_at"),
        "mentorship_sessions",
        ["updated_at"],
        unique=False,
    )
    op.create_table(
        "notifications",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("audience", sa.String(length=16), nullable=False),
        sa.Column("recipient_id", ID, nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("payload", JSON_DOCUMENT, nullable=False),
        sa.Column("due_at", TIMESTAMP, nullable=False),
        sa.Column("dedup_key", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="PENDING", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("lease_until", TIMESTAMP, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("request_id", ID, nullable=True),
        sa.Column("session_id", ID, nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("sent_at", TIMESTAMP, nullable=True),
        sa.ForeignKeyConstraint(
            ["recipient_id"], ["members.id"], name=op.f("fk_notifications_recipient_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["mentorship_requests.id"],
            name=op.f("fk_notifications_request_id_mentorship_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["mentorship_sessions.id"],
            name=op.f("fk_notifications_session_id_mentorship_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("dedup_key", name=op.f("uq_notifications_dedup_key")),
    )
    op.create_index(
        op.f("ix_notifications_due_at"),
        "notifications",
        ["due_at"],
        unique=False,
        postgresql_where=sa.text("status = 'PENDING'"),
        sqlite_where=sa.text("status = 'PENDING'"),
    )
    op.create_index(
        op.f("ix_notifications_request_id"), "notifications", ["request_id"], unique=False
    )
    op.create_index(
        op.f("ix_notifications_session_id"), "notifications", ["session_id"], unique=False
    )


def downgrade() -> None:
    """Drop every table, children first; their indexes go with them."""
    op.drop_table("notifications")
    op.drop_table("mentorship_sessions")
    op.drop_table("availability_windows")
    op.drop_table("transition_events")
    op.drop_table("mentorship_requests")
    op.drop_table("mentor_profiles")
    op.drop_table("member_identities")
    op.drop_table("members")
    op.drop_table("idempotency_keys")
