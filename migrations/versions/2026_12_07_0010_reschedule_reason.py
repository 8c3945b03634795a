"""A reschedule's reason, kept until the new time is picked.

"Reschedule" asks why first; the answer waits on the session (``move_reason``, by
``move_reason_by``) until that person picks the new time, when the move's event and the
"Moved by …" message carry it and the columns are cleared.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("mentorship_sessions") as batch:
        batch.add_column(sa.Column("move_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("move_reason_by", ID, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("mentorship_sessions") as batch:
        batch.drop_column("move_reason_by")
        batch.drop_column("move_reason")
