"""Small pieces several services share: loading with a clear 'not found', feed updates."""

from __future__ import annotations

from datetime import datetime

from core.errors import NotFound
from core.events import EntityKind
from core.lifecycle import SessionStatus
from core.notifications import Audience, Kind, to_audience, to_member
from core.ports import UnitOfWork, record
from core.requests import MentorshipRequest
from core.sessions import MentorshipSession


def load_request(uow: UnitOfWork, request_id: int) -> MentorshipRequest:
    request = uow.requests.get(request_id)
    if request is None or request.is_deleted:
        raise NotFound("That request no longer exists.")
    return request


def load_session(uow: UnitOfWork, session_id: int) -> MentorshipSession:
    session = uow.sessions.get(session_id)
    if session is None or session.is_deleted:
        raise NotFound("That session no longer exists.")
    return session


def card_update(uow: UnitOfWork, request_id: int, now: datetime, what: str) -> None:
    """Ask the front-ends to redraw the request's card in the mentors' feed."""
    uow.notifications.add(
        to_audience(
            Kind.CARD_UPDATE,
            Audience.MENTORS,
            now,
            f"r{request_id}:{what}:{now.isoformat()}",
            request_id=request_id,
        )
    )


def close_session_for_request(
    uow: UnitOfWork, request: MentorshipRequest, actor_id: int, now: datetime, reason: str
) -> None:
    """Cancel the request's scheduled session, if any, and its pending reminders."""
    session = uow.sessions.for_request(request.id)
    if session is None:
        return
    if uow.sessions.transition(session.id, [SessionStatus.SCHEDULED], SessionStatus.CANCELLED, now):
        record(
            uow,
            EntityKind.SESSION,
            session.id,
            SessionStatus.SCHEDULED,
            SessionStatus.CANCELLED,
            actor_id,
            now,
            reason,
        )
        other = session.mentor_id if actor_id == session.student_id else session.student_id
        uow.notifications.add(
            to_member(
                Kind.SESSION_CANCELLED,
                other,
                now,
                f"s{session.id}",
                request_id=request.id,
                session_id=session.id,
            )
        )
    uow.notifications.cancel_pending(session_id=session.id)
