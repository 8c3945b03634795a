"""An index for the mentors' feed health, read with every submission.

Whether the feed refuses cards is read from the outbox: a pending card whose last error
says so. Without an index the read walked every pending notice, reminders booked days
ahead included, for each submission. This partial index holds only the pending rows
that failed, normally none.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 20:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FAILED_PENDING = "status = 'PENDING' AND last_error IS NOT NULL"


def upgrade() -> None:
    op.create_index(
        op.f("ix_notifications_audience"),
        "notifications",
        ["audience"],
        unique=False,
        postgresql_where=sa.text(FAILED_PENDING),
        sqlite_where=sa.text(FAILED_PENDING),
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_notifications_audience"), table_name="notifications")
