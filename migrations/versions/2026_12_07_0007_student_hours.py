"""The student's own hours, besides the date range.

``student_hours``: when in their day the student can meet, in their own zone, as the
canonical text of ``core.hours`` ("07:00-12:00,17:00-22:00"). Every request stored
before this migration gets the form's default, all three periods (07:00-22:00), so none
of them is ever offered a time at night.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("mentorship_requests") as batch:
        batch.add_column(
            sa.Column(
                "student_hours",
                sa.String(length=200),
                server_default="07:00-22:00",
                nullable=False,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("mentorship_requests") as batch:
        batch.drop_column("student_hours")
