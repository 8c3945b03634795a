"""Mentorship requests, with the conditional update that decides every race."""

from __future__ import annotations

import functools
from collections.abc import Collection
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, bindparam, func, insert, or_, select, update

from core.hours import format_hours, parse_hours
from core.lifecycle import NOT_COUNTED_REQUEST_STATES, UNFINISHED_REQUEST_STATES, RequestStatus
from core.mentors import MentorStatus
from core.ports import ClaimSight, RequestRepository
from core.requests import MentorshipRequest, Urgency, ValidRequest
from db.models import MemberRow, MentorProfileRow, MentorshipRequestRow
from db.repositories.base import SqlRepository, table

Row = MentorshipRequestRow
TABLE = table(Row)
MEMBERS = table(MemberRow)
PROFILES = table(MentorProfileRow)


# Stored hours are a handful of canonical texts ("07:00-22:00"), parsed again for every
# row read (the queue reads every open request): parsed once each.
_stored_hours = functools.lru_cache(maxsize=1024)(parse_hours)


def _request(row: Any) -> MentorshipRequest:
    return MentorshipRequest(
        id=row.id,
        student_id=row.student_id,
        session_type=row.session_type,
        title=row.title,
        description=row.description,
        extra=dict(row.extra),
        duration_minutes=row.duration_minutes,
        urgency=Urgency(row.urgency),
        available_from=row.available_from,
        available_until=row.available_until,
        tags=list(row.tags),
        preferred_mentor_id=row.preferred_mentor_id,
        status=RequestStatus(row.status),
        expires_at=row.expires_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
        claimed_by=row.claimed_by,
        claimed_at=row.claimed_at,
        cancel_reason=row.cancel_reason,
        quota_refunded=row.quota_refunded,
        last_announced_at=row.last_announced_at,
        is_deleted=row.is_deleted,
        deleted_at=row.deleted_at,
        open_to_others=row.open_to_others,
        exclusive_until=row.exclusive_until,
        student_hours=_stored_hours(row.student_hours),
    )


# Built once, with bind parameters: a statement built anew is also keyed anew for
# SQLAlchemy's cache, a tenth of a millisecond or more each time (issue 14).
_BY_ID = select(TABLE).where(TABLE.c.id == bindparam("id"))  # read on every press
_ADD = insert(TABLE).returning(*TABLE.c)
_LOCK = select(TABLE.c.id).where(TABLE.c.id == bindparam("id")).with_for_update(key_share=True)
_BY_SUBMISSION_KEY = select(TABLE).where(
    TABLE.c.student_id == bindparam("student"), TABLE.c.submission_key == bindparam("key")
)
# A finished request its student withdrew still counts (hiding is no way round a limit);
# an unfinished one an admin hid is over, and does not.
_COUNTS = and_(
    TABLE.c.status.not_in([s.value for s in NOT_COUNTED_REQUEST_STATES]),
    TABLE.c.quota_refunded.is_(False),
    or_(
        TABLE.c.is_deleted.is_(False),
        TABLE.c.status.not_in([s.value for s in UNFINISHED_REQUEST_STATES]),
    ),
)
_COUNTED = (
    select(TABLE).where(TABLE.c.student_id == bindparam("student"), _COUNTS).order_by(TABLE.c.id)
)
# A submission's two checks in one read: the rows counted towards limits, and the one
# with the same submission key (a second press), each marked as what it is. With no key,
# the key test is NULL: no row matches it.
_SAME_KEY = TABLE.c.submission_key == bindparam("key", type_=TABLE.c.submission_key.type)
_SUBMISSION_SIGHT = (
    select(TABLE, _SAME_KEY.label("same_key"), _COUNTS.label("counts"))
    .where(TABLE.c.student_id == bindparam("student"), or_(_COUNTS, _SAME_KEY))
    .order_by(TABLE.c.id)
)
_FOR_STUDENT = (
    select(TABLE)
    .where(TABLE.c.is_deleted.is_(False), TABLE.c.student_id == bindparam("student"))
    .order_by(TABLE.c.id)
)
# The transition's SET clause comes from the keys it is given (status, updated_at and the
# changes): one compiled form per set of keys, found in the cache.
_TRANSITION = update(TABLE).where(
    TABLE.c.id == bindparam("rid"),
    TABLE.c.status.in_(bindparam("expected", expanding=True)),
    TABLE.c.is_deleted.is_(False),
)
_TRANSITION_IF_CLAIMED_BY = _TRANSITION.where(TABLE.c.claimed_by == bindparam("claimer"))
# A claim's checks (is the claimer an approved mentor, is the request's date still
# ahead in the student's zone, who holds it now) are read by the claim's own statement:
# one round trip for the winner, and one more for each loser (issue 14). These read the
# statement's snapshot, taken before any wait for the row's lock: right for a mentor's
# status or a zone, which a change made meanwhile may precede or follow either way; not
# for the request's event count, which keys its notices and is counted after the lock.
# The inner tables are aliased: SQLite's RETURNING names the request's columns without
# their table, and an alias keeps every inner name unambiguous.
_CLAIMING = PROFILES.alias("claiming")
_STUDENT = MEMBERS.alias("student")
_CLAIMER = MEMBERS.alias("claimer")
_MENTOR_STATUS = (
    select(_CLAIMING.c.status).where(_CLAIMING.c.member_id == bindparam("mentor")).scalar_subquery()
)
_STUDENT_ZONE = (
    select(_STUDENT.c.timezone)
    .where(_STUDENT.c.id == TABLE.c.student_id)
    .correlate(TABLE)
    .scalar_subquery()
)
_CLAIMER_NAME = (
    select(_CLAIMER.c.display_name)
    .where(_CLAIMER.c.id == TABLE.c.claimed_by)
    .correlate(TABLE)
    .scalar_subquery()
)
_CLAIM_OPEN = (
    update(TABLE)
    .where(
        TABLE.c.id == bindparam("rid"),
        TABLE.c.status == RequestStatus.OPEN.value,
        TABLE.c.is_deleted.is_(False),
    )
    .values(
        status=RequestStatus.CLAIMED.value,
        updated_at=bindparam("now"),
        claimed_by=bindparam("mentor"),
        claimed_at=bindparam("now"),
    )
    .returning(
        *TABLE.c,
        _MENTOR_STATUS.label("mentor_status"),
        _STUDENT_ZONE.label("student_zone"),
        _CLAIMER_NAME.label("claimer_name"),
    )
)
_CLAIM_SIGHT = select(
    *TABLE.c,
    _MENTOR_STATUS.label("mentor_status"),
    _STUDENT_ZONE.label("student_zone"),
    _CLAIMER_NAME.label("claimer_name"),
).where(TABLE.c.id == bindparam("rid"))
_MENTOR_STATUS_ONLY = select(_MENTOR_STATUS.label("mentor_status"))


def _sight(row: Any) -> ClaimSight:
    return ClaimSight(
        request=_request(row),
        mentor_status=_mentor_status(row.mentor_status),
        student_zone=row.student_zone or "UTC",
        claimer_name=row.claimer_name,
    )


def _mentor_status(stored: str | None) -> MentorStatus | None:
    return None if stored is None else MentorStatus(stored)


class SqlRequestRepository(SqlRepository, RequestRepository):
    def lock(self, request_id: int) -> None:
        if self.is_postgres:
            self.session.execute(_LOCK, {"id": request_id})

    def add(
        self,
        student_id: int,
        request: ValidRequest,
        now: datetime,
        expires_at: datetime,
        submission_key: str | None = None,
    ) -> MentorshipRequest:
        values = {
            "student_id": student_id,
            **request.stored_fields(),
            "status": RequestStatus.OPEN.value,
            "expires_at": expires_at,
            "submission_key": submission_key,
            "created_at": now,
            "updated_at": now,
        }
        return _request(self.session.execute(_ADD, values).one())

    def find_by_submission_key(self, student_id: int, key: str) -> MentorshipRequest | None:
        row = self.rows(_BY_SUBMISSION_KEY, {"student": student_id, "key": key}).first()
        return None if row is None else _request(row)

    def get(self, request_id: int) -> MentorshipRequest | None:
        row = self.rows(_BY_ID, {"id": request_id}).first()
        return None if row is None else _request(row)

    def get_many(self, request_ids: Collection[int]) -> dict[int, MentorshipRequest]:
        if not request_ids:
            return {}
        rows = self.rows(select(TABLE).where(Row.id.in_(set(request_ids))))
        return {row.id: _request(row) for row in rows}

    def _list(self, *conditions: Any) -> list[MentorshipRequest]:
        query = select(TABLE).where(Row.is_deleted.is_(False), *conditions).order_by(Row.id)
        return [_request(row) for row in self.rows(query)]

    def for_student(self, student_id: int) -> list[MentorshipRequest]:
        return [_request(row) for row in self.rows(_FOR_STUDENT, {"student": student_id})]

    def counted_for_student(self, student_id: int) -> list[MentorshipRequest]:
        return [_request(row) for row in self.rows(_COUNTED, {"student": student_id})]

    def submission_sight(
        self, student_id: int, key: str | None
    ) -> tuple[MentorshipRequest | None, list[MentorshipRequest]]:
        earlier: MentorshipRequest | None = None
        counted: list[MentorshipRequest] = []
        for row in self.rows(_SUBMISSION_SIGHT, {"student": student_id, "key": key}):
            request = _request(row)
            if row.same_key:
                earlier = request
            if row.counts:
                counted.append(request)
        return earlier, [] if earlier is not None else counted

    def open_requests(self) -> list[MentorshipRequest]:
        return self._list(Row.status == RequestStatus.OPEN.value)

    def claimed_by(self, mentor_id: int) -> list[MentorshipRequest]:
        return self._list(Row.claimed_by == mentor_id)

    def all(self) -> list[MentorshipRequest]:
        query = select(Row).order_by(Row.id)
        return [_request(row) for row in self.session.scalars(self.fresh(query))]

    def transition(
        self,
        request_id: int,
        expected: Collection[RequestStatus],
        target: RequestStatus,
        now: datetime,
        *,
        if_claimed_by: int | None = None,
        **changes: Any,
    ) -> bool:
        params = {
            "rid": request_id,
            "expected": [s.value for s in expected],
            "status": target.value,
            "updated_at": now,
            **changes,
        }
        statement = _TRANSITION
        if if_claimed_by is not None:
            statement, params["claimer"] = _TRANSITION_IF_CLAIMED_BY, if_claimed_by
        self.session.flush()  # a plain UPDATE: the ORM's pending rows go first
        result = self.session.execute(statement, params)
        return bool(getattr(result, "rowcount", 0) == 1)

    def claim_open(self, request_id: int, mentor_id: int, now: datetime) -> ClaimSight | None:
        params = {"rid": request_id, "now": now, "mentor": mentor_id}
        row = self.session.execute(_CLAIM_OPEN, params).first()
        return None if row is None else _sight(row)

    def claim_sight(self, request_id: int, mentor_id: int) -> ClaimSight:
        row = self.rows(_CLAIM_SIGHT, {"rid": request_id, "mentor": mentor_id}).first()
        if row is not None:
            return _sight(row)
        status = self.rows(_MENTOR_STATUS_ONLY, {"mentor": mentor_id}).scalar()
        return ClaimSight(None, _mentor_status(status), "UTC", None)

    def save(self, request: MentorshipRequest, now: datetime) -> None:
        self.session.execute(
            update(Row)
            .where(Row.id == request.id)
            .values(
                title=request.title,
                description=request.description,
                extra=dict(request.extra),
                duration_minutes=request.duration_minutes,
                urgency=request.urgency.value,
                available_from=request.available_from,
                available_until=request.available_until,
                tags=list(request.tags),
                preferred_mentor_id=request.preferred_mentor_id,
                student_hours=format_hours(request.student_hours),
                status=request.status.value,
                claimed_by=request.claimed_by,
                claimed_at=request.claimed_at,
                expires_at=request.expires_at,
                cancel_reason=request.cancel_reason,
                quota_refunded=request.quota_refunded,
                last_announced_at=request.last_announced_at,
                is_deleted=request.is_deleted,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )

    def unannounced_since(
        self, urgency: str, announced_before: datetime, limit: int
    ) -> list[MentorshipRequest]:
        last = func.coalesce(Row.last_announced_at, Row.created_at)
        query = (
            select(Row)
            .where(
                Row.status == RequestStatus.OPEN.value,
                Row.urgency == urgency,
                Row.is_deleted.is_(False),
                last <= announced_before,
            )
            .order_by(Row.id)
            .limit(limit)
        )
        return [_request(row) for row in self.session.scalars(self.fresh(query))]

    def mark_announced(self, request_id: int, previous: datetime | None, now: datetime) -> bool:
        same = (
            Row.last_announced_at.is_(None)
            if previous is None
            else Row.last_announced_at == previous
        )
        result = self.session.execute(
            update(Row)
            .where(
                Row.id == request_id,
                Row.status == RequestStatus.OPEN.value,
                Row.is_deleted.is_(False),
                same,
            )
            .values(last_announced_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    def claimed_before(self, before: datetime, limit: int) -> list[MentorshipRequest]:
        query = (
            select(Row)
            .where(
                Row.status == RequestStatus.CLAIMED.value,
                Row.claimed_at <= before,
                Row.is_deleted.is_(False),
            )
            .order_by(Row.claimed_at)
            .limit(limit)
        )
        return [_request(row) for row in self.session.scalars(self.fresh(query))]

    def reserved_ended(self, now: datetime, limit: int) -> list[MentorshipRequest]:
        return self._open_where(Row.exclusive_until <= now, limit=limit)

    def last_day_before(self, day: date, limit: int) -> list[MentorshipRequest]:
        return self._open_where(Row.available_until < day, limit=limit)

    def _open_where(self, condition: Any, *, limit: int) -> list[MentorshipRequest]:
        query = (
            select(Row)
            .where(Row.status == RequestStatus.OPEN.value, Row.is_deleted.is_(False), condition)
            .order_by(Row.id)
            .limit(limit)
        )
        return [_request(row) for row in self.session.scalars(self.fresh(query))]

    def expired_ids(self, now: datetime, limit: int) -> list[int]:
        query = (
            select(Row.id)
            .where(
                Row.status == RequestStatus.OPEN.value,
                Row.expires_at <= now,
                Row.is_deleted.is_(False),
            )
            .order_by(Row.expires_at)
            .limit(limit)
        )
        return list(self.session.scalars(query))
