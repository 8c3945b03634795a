"""Delivery: lease owners, per-address progress, unreachable accounts.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("lease_owner", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("progress", JSON_DOCUMENT, nullable=True))
    with op.batch_alter_table("member_identities") as batch:
        batch.add_column(sa.Column("unreachable_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("member_identities") as batch:
        batch.drop_column("unreachable_at")
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("progress")
        batch.drop_column("lease_owner")
