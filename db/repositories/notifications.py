"""The outbox: notifications written in the same transaction as the change they announce."""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, bindparam, select, text, update

from core.notifications import Audience, Kind, Notification, NotificationStatus
from core.ports import NotificationRepository
from db.models import NotificationRow
from db.repositories.base import SqlRepository, table
from db.repositories.outbox import to_notification

Row = NotificationRow
TABLE = table(Row)


_COLUMNS = (
    "audience",
    "recipient_id",
    "kind",
    "payload",
    "due_at",
    "dedup_key",
    "status",
    "attempts",
    "request_id",
    "session_id",
    "created_at",
)
# One text for both databases (PostgreSQL and SQLite 3.24+ share this ON CONFLICT form),
# built once. The dialects' own ``insert().on_conflict_do_nothing()`` cannot be cached
# by SQLAlchemy (their Insert sets ``inherit_cache = False``), so it was compiled anew
# on every call: about 0.7 ms of Python for each notification (issue 14). A text with
# typed binds is found in the cache: JSON and aware-UTC values still go through the
# column types.
_INSERT = text(
    f"INSERT INTO {TABLE.name} ({', '.join(_COLUMNS)})"
    f" VALUES ({', '.join(':' + c for c in _COLUMNS)})"
    " ON CONFLICT (dedup_key) DO NOTHING"
).bindparams(*(bindparam(c, type_=TABLE.c[c].type) for c in _COLUMNS))


_CANCEL_FILTERS = ("by_request", "by_session", "by_kinds")


@functools.cache
def _cancel_pending(by_request: bool, by_session: bool, by_kinds: bool) -> Any:
    """The pending rows' cancellation, one statement per combination of filters, built
    once (issue 14: built anew, four a lifecycle, each keyed anew for the cache).

    Rows in id order (the one global order), skipping any a delivery worker holds while
    it records its sends: waiting for them deadlocked against the worker (issue 12: 20
    deadlocks in a soak, 18 of them shown as "busy"). A skipped row is one the worker is
    finishing; its finish re-checks it against the state now
    (core.delivery.poison.recheck), and the next lease does too (relevance). SQLite has
    no row locks (the database is locked whole): FOR UPDATE is left out there by
    SQLAlchemy."""
    conditions = [TABLE.c.status == NotificationStatus.PENDING.value]
    if by_request:
        conditions.append(TABLE.c.request_id == bindparam("by_request"))
    if by_session:
        conditions.append(TABLE.c.session_id == bindparam("by_session"))
    if by_kinds:
        conditions.append(TABLE.c.kind.in_(bindparam("by_kinds", expanding=True)))
    chosen = (
        select(TABLE.c.id)
        .where(*conditions)
        .order_by(TABLE.c.id)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    return (
        update(TABLE)
        .where(TABLE.c.id.in_(chosen), TABLE.c.status == NotificationStatus.PENDING.value)
        .values(status=NotificationStatus.CANCELLED.value)
    )


def _values(notification: Notification) -> dict[str, Any]:
    return {
        "audience": notification.audience.value,
        "recipient_id": notification.recipient_id,
        "kind": notification.kind.value,
        "payload": notification.payload,
        "due_at": notification.due_at,
        "dedup_key": notification.dedup_key,
        "status": notification.status.value,
        "attempts": notification.attempts,
        "request_id": notification.request_id,
        "session_id": notification.session_id,
        "created_at": datetime.now(UTC),  # wall time of the write, for operators
    }


class SqlNotificationRepository(SqlRepository, NotificationRepository):
    def add(self, notification: Notification) -> bool:
        # ON CONFLICT DO NOTHING rather than check-then-insert: two processes booking the
        # same fact at the same moment still leave exactly one row.
        result = self.session.execute(_INSERT, _values(notification))
        return int(getattr(result, "rowcount", 0)) == 1

    def add_many(self, notifications: Sequence[Notification]) -> int:
        if not notifications:
            return 0
        if len(notifications) == 1:
            return int(self.add(notifications[0]))
        # executemany: psycopg sends the rows in one pipeline, one round trip; the row
        # count is the sum over the rows (a row already booked counts 0)
        result = self.session.execute(_INSERT, [_values(n) for n in notifications])
        return int(getattr(result, "rowcount", 0))

    def cancel_pending(
        self,
        *,
        request_id: int | None = None,
        session_id: int | None = None,
        kinds: Collection[Kind] | None = None,
    ) -> int:
        # bind names that are no column's: an UPDATE takes a column's name as a SET
        params: dict[str, Any] = {}
        if request_id is not None:
            params["by_request"] = request_id
        if session_id is not None:
            params["by_session"] = session_id
        if kinds is not None:
            params["by_kinds"] = [k.value for k in kinds]
        statement = _cancel_pending(*(k in params for k in _CANCEL_FILTERS))
        self.session.flush()  # a plain UPDATE (not the ORM's bulk path) sees pending rows
        return int(getattr(self.session.execute(statement, params), "rowcount", 0))

    def feed_problem(self, prefix: str) -> str | None:
        found: str | None = self.session.scalar(_feed_problem(prefix))
        return found

    def requeue_skipped(self, member_id: int, reasons: Collection[str], now: datetime) -> int:
        # rows in id order, the one global order (core.transactions); none is leased: a
        # SKIPPED row is finished
        chosen = (
            select(Row.id)
            .where(
                Row.status == NotificationStatus.SKIPPED.value,
                Row.recipient_id == member_id,
                Row.last_error.in_(list(reasons)),
            )
            .order_by(Row.id)
            .scalar_subquery()
        )
        result = self.session.execute(
            update(Row)
            .where(Row.id.in_(chosen), Row.status == NotificationStatus.SKIPPED.value)
            .values(
                status=NotificationStatus.PENDING.value,
                due_at=now,
                attempts=0,
                last_error=None,
                lease_until=None,
                lease_owner=None,
            )
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0))

    def pending(self) -> list[Notification]:
        rows = self.session.scalars(
            select(Row)
            .where(Row.status == NotificationStatus.PENDING.value)
            .order_by(Row.due_at, Row.id)
        )
        return [to_notification(r) for r in rows]


@functools.cache
def _feed_problem(prefix: str) -> Select[tuple[str | None]]:
    """Read with every submission: built once per prefix (there is one), and answered
    from the partial index of pending rows that carry an error (migration 0011), not
    by walking every pending notice, future reminders included."""
    return (
        select(TABLE.c.last_error)
        .where(
            TABLE.c.status == NotificationStatus.PENDING.value,
            TABLE.c.last_error.is_not(None),
            TABLE.c.audience == Audience.MENTORS.value,
            TABLE.c.last_error.startswith(prefix, autoescape=True),
        )
        .limit(1)
    )
