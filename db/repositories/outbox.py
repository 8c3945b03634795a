"""Leasing due notifications: ``FOR UPDATE SKIP LOCKED`` on PostgreSQL.

The pattern of procrastinate, Oban and River: each process takes a batch of due rows no
other transaction holds, stamps them with its lease, and commits at once, so the rows are
free of row locks while the messages go out. A process that dies leaves its lease to run
out; the next lease query takes those rows again. On SQLite the whole database is locked
by ``BEGIN IMMEDIATE``, so the same statements are already exclusive.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update

from core.notifications import Audience, Kind, Notification, NotificationStatus
from core.ports import OutboxRepository
from db.models import NotificationRow
from db.repositories.base import SqlRepository

Row = NotificationRow
PENDING = NotificationStatus.PENDING.value


def to_notification(r: Row) -> Notification:
    return Notification(
        kind=Kind(r.kind),
        audience=Audience(r.audience),
        recipient_id=r.recipient_id,
        due_at=r.due_at,
        dedup_key=r.dedup_key,
        payload=dict(r.payload),
        request_id=r.request_id,
        session_id=r.session_id,
        status=NotificationStatus(r.status),
        attempts=r.attempts,
        id=r.id,
        progress=tuple(r.progress or ()),
        last_error=r.last_error,
    )


class SqlOutboxRepository(SqlRepository, OutboxRepository):
    def lease_due(
        self, now: datetime, limit: int, owner: str, until: datetime, max_attempts: int
    ) -> list[Notification]:
        due = (
            select(Row.id)
            .where(
                Row.status == PENDING,
                Row.due_at <= now,
                or_(Row.lease_until.is_(None), Row.lease_until <= now),
                Row.attempts < max_attempts,
            )
            .order_by(Row.due_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        rows = self.session.scalars(
            update(Row)
            .where(Row.id.in_(due.scalar_subquery()))
            .values(lease_owner=owner, lease_until=until, attempts=Row.attempts + 1)
            .returning(Row)
            .execution_options(synchronize_session=False, populate_existing=True)
        ).all()
        return sorted((to_notification(r) for r in rows), key=lambda n: (n.due_at, n.id or 0))

    def bury_abandoned(self, now: datetime, max_attempts: int) -> list[Notification]:
        rows = self.session.scalars(
            update(Row)
            .where(
                Row.status == PENDING,
                Row.due_at <= now,
                Row.lease_until <= now,
                Row.attempts >= max_attempts,
            )
            .values(
                status=NotificationStatus.DEAD.value,
                lease_until=None,
                last_error=func.coalesce(Row.last_error, "the sending process stopped"),
            )
            .returning(Row)
            .execution_options(synchronize_session=False, populate_existing=True)
        ).all()
        return [to_notification(r) for r in rows]

    def _update_leased(
        self,
        notification_id: int,
        owner: str,
        *,
        from_: tuple[str, ...] = (PENDING,),
        **values: Any,
    ) -> bool:
        result = self.session.execute(
            update(Row)
            .where(Row.id == notification_id, Row.lease_owner == owner, Row.status.in_(from_))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    def finish(
        self,
        notification_id: int,
        owner: str,
        status: NotificationStatus,
        now: datetime,
        note: str | None = None,
    ) -> bool:
        # A row cancelled while this worker was sending it (the cancel skips only rows
        # locked at that instant) did go out: the owner's SENT is the truth, and the
        # outbox's counts stay right (the soak found thousands of sends shown CANCELLED).
        sent = status == NotificationStatus.SENT
        return self._update_leased(
            notification_id,
            owner,
            from_=(PENDING, NotificationStatus.CANCELLED.value) if sent else (PENDING,),
            status=status.value,
            lease_until=None,
            sent_at=now if status == NotificationStatus.SENT else None,
            last_error=note,
        )

    def retry_at(
        self,
        notification_id: int,
        owner: str,
        due_at: datetime,
        error: str | None,
        *,
        refund_attempt: bool,
        progress: tuple[str, ...] = (),
    ) -> bool:
        return self._update_leased(
            notification_id,
            owner,
            due_at=due_at,
            lease_until=None,
            lease_owner=None,
            last_error=error,
            progress=list(progress),
            attempts=Row.attempts - 1 if refund_attempt else Row.attempts,
        )

    def renew(self, notification_ids: Collection[int], owner: str, until: datetime) -> int:
        if not notification_ids:
            return 0
        result = self.session.execute(
            update(Row)
            .where(
                Row.id.in_(sorted(notification_ids)),
                Row.lease_owner == owner,
                Row.status == PENDING,
            )
            .values(lease_until=until)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0))

    def counts(self) -> dict[str, int]:
        query = select(Row.status, func.count()).group_by(Row.status)
        return {status: int(count) for status, count in self.session.execute(query)}
