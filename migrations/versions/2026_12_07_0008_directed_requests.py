"""Requests addressed to one mentor: who may claim, until when.

``open_to_others``: the student agreed that every mentor may take the request once the
chosen mentor's time is up (or they decline). ``exclusive_until``: until when only the
chosen mentor may claim it; NULL means open to every mentor, which is what every request
stored before this migration stays.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("mentorship_requests") as batch:
        batch.add_column(
            sa.Column(
                "open_to_others", sa.Boolean(), server_default=sa.text("false"), nullable=False
            )
        )
        batch.add_column(sa.Column("exclusive_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("mentorship_requests") as batch:
        batch.drop_column("exclusive_until")
        batch.drop_column("open_to_others")
