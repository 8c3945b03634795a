"""Sessions (the seed's mentorship_sessions): booking, outcomes, ratings."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, or_, select, update

from core.lifecycle import SessionStatus
from core.ports import SessionRepository
from core.sessions import MentorshipSession, NoShowParty
from db.models import MentorshipSessionRow
from db.repositories.base import SqlRepository, table

Row = MentorshipSessionRow


def _session(row: Any) -> MentorshipSession:
    return MentorshipSession(
        id=row.id,
        request_id=row.request_id,
        mentor_id=row.mentor_id,
        student_id=row.student_id,
        session_type=row.session_type,
        status=SessionStatus(row.status),
        scheduled_at=row.scheduled_at,
        ends_at=row.ends_at,
        duration_minutes=row.duration_minutes,
        meeting_link=row.meeting_link or "",
        created_at=row.created_at,
        updated_at=row.updated_at,
        completed_at=row.completed_at,
        notes=row.notes,
        mentor_notes=row.mentor_notes,
        session_duration_minutes=row.session_duration_minutes,
        session_rating=row.session_rating,
        session_feedback=row.session_feedback,
        no_show_by=NoShowParty(row.no_show_by) if row.no_show_by else None,
        is_deleted=row.is_deleted,
        deleted_at=row.deleted_at,
        no_show_at=row.no_show_at,
        disputed_at=row.disputed_at,
        disputed_by=row.disputed_by,
        settled_at=row.settled_at,
        settled_by=row.settled_by,
        settled_as=row.settled_as,
        move_reason=row.move_reason,
        move_reason_by=row.move_reason_by,
    )


TABLE = table(Row)
# read on every booking and every slot offer: built once
_BY_ID = select(TABLE).where(TABLE.c.id == bindparam("id"))
_ADD = insert(TABLE).returning(*TABLE.c)
_LIVE = update(TABLE).where(TABLE.c.id == bindparam("sid"), TABLE.c.is_deleted.is_(False))
_TRANSITION = _LIVE.where(TABLE.c.status.in_(bindparam("expected", expanding=True)))
_RATE = _LIVE.where(
    TABLE.c.status == SessionStatus.COMPLETED.value, TABLE.c.session_rating.is_(None)
)
_FOR_REQUEST = select(TABLE).where(TABLE.c.request_id == bindparam("request_id"))
_BUSY = (
    select(TABLE)
    .where(
        TABLE.c.is_deleted.is_(False),
        or_(
            TABLE.c.mentor_id.in_(bindparam("members", expanding=True)),
            TABLE.c.student_id.in_(bindparam("members", expanding=True)),
        ),
        TABLE.c.status == SessionStatus.SCHEDULED.value,
        TABLE.c.scheduled_at < bindparam("end"),
        TABLE.c.ends_at > bindparam("start"),
    )
    .order_by(TABLE.c.id)
)


class SqlSessionRepository(SqlRepository, SessionRepository):
    def add(self, session: MentorshipSession) -> MentorshipSession:
        # a plain INSERT … RETURNING, built once: not an ORM object flushed (issue 14)
        values = {
            "request_id": session.request_id,
            "mentor_id": session.mentor_id,
            "student_id": session.student_id,
            "session_type": session.session_type,
            "status": session.status.value,
            "scheduled_at": session.scheduled_at,
            "ends_at": session.ends_at,
            "duration_minutes": session.duration_minutes,
            "meeting_link": session.meeting_link,
            "notes": session.notes,
            "created_at": session.created_at,
            "updated_at": session.updated_at,
        }
        self.session.flush()
        return _session(self.session.execute(_ADD, values).one())

    def get(self, session_id: int) -> MentorshipSession | None:
        row = self.rows(_BY_ID, {"id": session_id}).first()
        return None if row is None else _session(row)

    def get_many(self, session_ids: Collection[int]) -> dict[int, MentorshipSession]:
        if not session_ids:
            return {}
        rows = self.rows(select(TABLE).where(TABLE.c.id.in_(set(session_ids))))
        return {row.id: _session(row) for row in rows}

    def for_request(self, request_id: int) -> MentorshipSession | None:
        row = self.rows(_FOR_REQUEST, {"request_id": request_id}).first()
        return None if row is None else _session(row)

    def _list(self, *conditions: Any) -> list[MentorshipSession]:
        query = select(TABLE).where(TABLE.c.is_deleted.is_(False), *conditions).order_by(TABLE.c.id)
        return [_session(row) for row in self.rows(query)]

    def for_member(self, member_id: int) -> list[MentorshipSession]:
        return self._list(or_(TABLE.c.mentor_id == member_id, TABLE.c.student_id == member_id))

    def busy_for_members(
        self, member_ids: Collection[int], start: datetime, end: datetime
    ) -> list[MentorshipSession]:
        params = {"members": list(set(member_ids)), "start": start, "end": end}
        return [_session(row) for row in self.rows(_BUSY, params)]

    def all(self) -> list[MentorshipSession]:
        query = select(Row).order_by(Row.id)
        return [_session(row) for row in self.session.scalars(self.fresh(query))]

    def _update(self, session_id: int, *conditions: Any, **values: Any) -> bool:
        # a plain UPDATE of the table: the ORM's bulk-update path cost more than the
        # statement (issue 14); pending ORM rows are flushed first, as it did
        self.session.flush()
        result = self.session.execute(
            update(TABLE)
            .where(TABLE.c.id == session_id, TABLE.c.is_deleted.is_(False), *conditions)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    def transition(
        self,
        session_id: int,
        expected: Collection[SessionStatus],
        target: SessionStatus,
        now: datetime,
        **changes: Any,
    ) -> bool:
        self.session.flush()
        params = {
            "sid": session_id,
            "expected": [s.value for s in expected],
            "status": target.value,
            "updated_at": now,
            **changes,
        }
        # the SET clause comes from the keys given: one compiled form per set of changes
        result = self.session.execute(_TRANSITION, params)
        return bool(getattr(result, "rowcount", 0) == 1)

    def rate(self, session_id: int, rating: int, feedback: str | None, now: datetime) -> bool:
        self.session.flush()
        params = {
            "sid": session_id,
            "session_rating": rating,
            "session_feedback": feedback,
            "updated_at": now,
        }
        return bool(getattr(self.session.execute(_RATE, params), "rowcount", 0) == 1)

    def set_feedback(self, session_id: int, feedback: str, now: datetime) -> bool:
        return self._update(
            session_id,
            TABLE.c.session_rating.is_not(None),
            TABLE.c.session_feedback.is_(None),
            session_feedback=feedback,
            updated_at=now,
        )

    def update_notes(
        self,
        session_id: int,
        now: datetime,
        mentor_notes: str | None,
        session_duration_minutes: int | None,
    ) -> None:
        self._update(
            session_id,
            mentor_notes=mentor_notes,
            session_duration_minutes=session_duration_minutes,
            updated_at=now,
        )

    def ratings_by_mentor(self) -> dict[int, tuple[float, int]]:
        query = (
            select(Row.mentor_id, func.avg(Row.session_rating), func.count(Row.session_rating))
            .where(Row.session_rating.is_not(None), Row.is_deleted.is_(False))
            .group_by(Row.mentor_id)
        )
        return {
            mentor: (float(avg), int(count)) for mentor, avg, count in self.session.execute(query)
        }
