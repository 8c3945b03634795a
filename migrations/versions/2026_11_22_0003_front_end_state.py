"""Front-end state: conversations that survive restarts, where feed cards were posted.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "conversation_state",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("value", JSON_DOCUMENT, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_conversation_state")),
    )
    op.create_table(
        "feed_posts",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("request_id", ID, nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=128), nullable=False),
        sa.Column("message_ref", sa.String(length=128), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["mentorship_requests.id"],
            name=op.f("fk_feed_posts_request_id_mentorship_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_posts")),
        sa.UniqueConstraint(
            "request_id",
            "platform",
            "chat_id",
            name=op.f("uq_feed_posts_request_id_platform_chat_id"),
        ),
    )


def downgrade() -> None:
    op.drop_table("feed_posts")
    op.drop_table("conversation_state")
