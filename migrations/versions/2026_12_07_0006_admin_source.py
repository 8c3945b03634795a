"""Where a member's adminship came from (settings or the product).

``MENTORBOT_ADMINS`` is applied at every start, to people who already exist too, and
someone removed from it stops being an admin, unless they were promoted in the product
(``grant_admin``). That needs the source: ``settings``, ``product``, or NULL for a
member who is not an admin.

Existing admins are backfilled from how the code before this revision made admins: a
chat account (Telegram, Slack) could only become one through the setting, so those are
``settings``; console members were made admins by the demo or the operator's CLI on the
operator's own machine, so those are ``product`` and survive an empty setting.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.add_column(sa.Column("admin_source", sa.String(16), nullable=True))
    op.execute(
        "UPDATE members SET admin_source = CASE WHEN EXISTS ("
        "SELECT 1 FROM member_identities i "
        "WHERE i.member_id = members.id AND i.platform = 'console'"
        ") THEN 'product' ELSE 'settings' END "
        "WHERE is_admin"
    )


def downgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.drop_column("admin_source")
