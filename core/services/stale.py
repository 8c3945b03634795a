"""Requests whose dates have passed: nothing can be booked any more, so they expire.

A request's last available day is the student's (they gave the dates in their own zone),
so each candidate is checked in its student's zone; the query only narrows the rows down
(a last day before tomorrow in the earliest zone, UTC+14).
"""

from __future__ import annotations

from datetime import timedelta

from core.directed import dates_ended
from core.events import EntityKind
from core.lifecycle import RequestStatus
from core.notifications import Kind, to_member
from core.ports import record
from core.services.common import card_update
from core.services.context import ServiceContext

DATES_PASSED = "its dates have passed"
# announcements of a request nobody can book any more are worth nothing
_UNSENT = [
    Kind.EXPIRY_WARNING,
    Kind.REQUEST_POSTED,
    Kind.REQUEST_REANNOUNCED,
    Kind.REQUEST_MATCHED,
    Kind.REQUEST_FOR_YOU,
]


def expire_past_dates(ctx: ServiceContext, batch_size: int = 200) -> list[int]:
    """Expire open requests whose last day is over; the student gets the repost offer."""
    now = ctx.now()
    expired: list[int] = []
    with ctx.uow_factory() as uow:
        earliest_today = (now + timedelta(hours=14)).date()
        candidates = uow.requests.last_day_before(earliest_today, batch_size)
        students = uow.members.get_many({r.student_id for r in candidates})
        for request in candidates:
            student = students.get(request.student_id)
            if not dates_ended(request, student.timezone if student else "UTC", now):
                continue
            if not uow.requests.transition(
                request.id, [RequestStatus.OPEN], RequestStatus.EXPIRED, now
            ):
                continue  # claimed or expired by someone else meanwhile
            record(
                uow,
                EntityKind.REQUEST,
                request.id,
                RequestStatus.OPEN,
                RequestStatus.EXPIRED,
                None,
                now,
                DATES_PASSED,
            )
            uow.notifications.cancel_pending(request_id=request.id, kinds=_UNSENT)
            uow.notifications.add(
                to_member(
                    Kind.REQUEST_EXPIRED,
                    request.student_id,
                    now,
                    f"r{request.id}",
                    request_id=request.id,
                    why="dates_passed",
                )
            )
            card_update(uow, request.id, now, "expired")
            expired.append(request.id)
        uow.commit()
    return expired
