"""Mentor notes as entries, no-show disputes, soft delete.

- ``session_notes``: one row per note a mentor writes (append-only); the session's
  ``mentor_notes`` stays the entries joined, for the seed's export column.
- ``mentorship_sessions``: when a no-show was reported, who disputed it and when, and
  who settled it, when and how.
- ``deleted_at`` beside the seed's ``is_deleted`` on requests and sessions.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMP = sa.DateTime(timezone=True)
_MEMBER_COLUMNS = ("disputed_by", "settled_by")


def upgrade() -> None:
    op.create_table(
        "session_notes",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("session_id", ID, nullable=False),
        sa.Column("author_id", ID, nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["mentorship_sessions.id"],
            name=op.f("fk_session_notes_session_id_mentorship_sessions"),
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["members.id"], name=op.f("fk_session_notes_author_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_notes")),
    )
    op.create_index(
        op.f("ix_session_notes_session_id"), "session_notes", ["session_id"], unique=False
    )
    with op.batch_alter_table("mentorship_requests") as batch:
        batch.add_column(sa.Column("deleted_at", TIMESTAMP, nullable=True))
    with op.batch_alter_table("mentorship_sessions") as batch:
        batch.add_column(sa.Column("deleted_at", TIMESTAMP, nullable=True))
        batch.add_column(sa.Column("no_show_at", TIMESTAMP, nullable=True))
        batch.add_column(sa.Column("disputed_at", TIMESTAMP, nullable=True))
        batch.add_column(sa.Column("disputed_by", ID, nullable=True))
        batch.add_column(sa.Column("settled_at", TIMESTAMP, nullable=True))
        batch.add_column(sa.Column("settled_by", ID, nullable=True))
        batch.add_column(sa.Column("settled_as", sa.String(length=16), nullable=True))
        for column in _MEMBER_COLUMNS:
            batch.create_foreign_key(
                op.f(f"fk_mentorship_sessions_{column}_members"), "members", [column], ["id"]
            )


def downgrade() -> None:
    with op.batch_alter_table("mentorship_sessions") as batch:
        for column in _MEMBER_COLUMNS:
            batch.drop_constraint(
                op.f(f"fk_mentorship_sessions_{column}_members"), type_="foreignkey"
            )
        for column in (
            "settled_as",
            "settled_by",
            "settled_at",
            "disputed_by",
            "disputed_at",
            "no_show_at",
            "deleted_at",
        ):
            batch.drop_column(column)
    with op.batch_alter_table("mentorship_requests") as batch:
        batch.drop_column("deleted_at")
    op.drop_index(op.f("ix_session_notes_session_id"), table_name="session_notes")
    op.drop_table("session_notes")
