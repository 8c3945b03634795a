"""No-show disputes: the person reported absent says "It did happen"; an admin settles.

Only the side the report is about may dispute, once, within ``DISPUTE_WINDOW`` of the
report. Until an admin settles it the report stands (the quota is as it was reported);
settled as completed, the session and its request become completed and the request
counts towards the student's limits again; settled as a no-show, nothing moves but the
record of who decided. Each step is an event in the request's history.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from core.errors import InvalidTransition, NotAllowed
from core.events import EntityKind
from core.lifecycle import RequestStatus, SessionStatus
from core.notifications import Audience, Kind, to_audience, to_member
from core.ports import UnitOfWork, record
from core.services.common import load_session
from core.services.context import ServiceContext, load_member, require_admin
from core.sessions import MentorshipSession, no_show_party_id

DISPUTE_WINDOW = timedelta(hours=48)
SETTLED_COMPLETED = "completed"
SETTLED_NO_SHOW = "no_show"


def dispute_deadline(session: MentorshipSession) -> datetime | None:
    return None if session.no_show_at is None else session.no_show_at + DISPUTE_WINDOW


def may_dispute(session: MentorshipSession, member_id: int, now: datetime) -> bool:
    """Whether "It did happen" is still worth offering to ``member_id``."""
    deadline = dispute_deadline(session)
    return (
        session.status == SessionStatus.NO_SHOW
        and no_show_party_id(session) == member_id
        and session.disputed_at is None
        and deadline is not None
        and now <= deadline
    )


def dispute_no_show(
    ctx: ServiceContext, actor_id: int, session_id: int
) -> tuple[MentorshipSession, bool]:
    """ "It did happen": the first press disputes; a second changes nothing. Returns the
    session and whether this press disputed it (False: it was disputed already)."""
    now = ctx.now()
    with ctx.uow_factory() as uow:
        load_member(uow, actor_id)
        session = _locked(uow, session_id)
        if session.status != SessionStatus.NO_SHOW and session.settled_at is None:
            raise InvalidTransition("Only a no-show report can be disputed.")
        if no_show_party_id(session) != actor_id and session.disputed_by != actor_id:
            raise NotAllowed("Only the person reported absent can dispute a no-show report.")
        if session.disputed_at is not None:
            return session, False  # already disputed (perhaps settled): the caller says so
        deadline = dispute_deadline(session)
        if deadline is None or now > deadline:
            raise InvalidTransition("The 48 hours to dispute this report have passed.")
        uow.sessions.transition(
            session_id,
            [SessionStatus.NO_SHOW],
            SessionStatus.NO_SHOW,
            now,
            disputed_at=now,
            disputed_by=actor_id,
        )
        record(
            uow,
            EntityKind.SESSION,
            session_id,
            SessionStatus.NO_SHOW,
            SessionStatus.NO_SHOW,
            actor_id,
            now,
            "disputed: it did happen",
        )
        ids = {"request_id": session.request_id, "session_id": session_id}
        reporter = session.student_id if actor_id == session.mentor_id else session.mentor_id
        key = f"s{session_id}"
        uow.notifications.add(to_member(Kind.OUTCOME_DISPUTED, reporter, now, key, **ids))
        uow.notifications.add(to_audience(Kind.OUTCOME_DISPUTED, Audience.ADMINS, now, key, **ids))
        result = load_session(uow, session_id)
        uow.commit()
        return result, True


def settle_dispute(
    ctx: ServiceContext, admin_id: int, session_id: int, *, completed: bool
) -> MentorshipSession:
    """An admin decides a disputed no-show; repeating the same decision changes nothing."""
    now = ctx.now()
    verdict = SETTLED_COMPLETED if completed else SETTLED_NO_SHOW
    with ctx.uow_factory() as uow:
        require_admin(uow, admin_id)
        session = _locked(uow, session_id)
        if session.settled_at is not None:
            if session.settled_as == verdict:
                return session
            raise InvalidTransition(f"Already settled as {_said(session.settled_as)}.")
        if not session.is_disputed:
            raise InvalidTransition("That outcome is not disputed.")
        settled = {"settled_at": now, "settled_by": admin_id, "settled_as": verdict}
        if completed:
            _settle_completed(uow, session, admin_id, now, settled)
        else:
            uow.sessions.transition(
                session_id, [SessionStatus.NO_SHOW], SessionStatus.NO_SHOW, now, **settled
            )
            record(
                uow,
                EntityKind.SESSION,
                session_id,
                SessionStatus.NO_SHOW,
                SessionStatus.NO_SHOW,
                admin_id,
                now,
                f"settled by an admin: the {session.no_show_by} did not come",
            )
        ids = {"request_id": session.request_id, "session_id": session_id}
        for member_id in (session.student_id, session.mentor_id):
            uow.notifications.add(
                to_member(
                    Kind.DISPUTE_SETTLED,
                    member_id,
                    now,
                    f"s{session_id}",
                    settled_as=verdict,
                    **ids,
                )
            )
        result = load_session(uow, session_id)
        uow.commit()
        return result


def _settle_completed(
    uow: UnitOfWork,
    session: MentorshipSession,
    admin_id: int,
    now: datetime,
    settled: dict[str, object],
) -> None:
    """It did happen: the session and request complete, and the request counts again."""
    uow.sessions.transition(
        session.id,
        [SessionStatus.NO_SHOW],
        SessionStatus.COMPLETED,
        now,
        no_show_by=None,
        completed_at=session.ends_at,
        session_duration_minutes=session.session_duration_minutes or session.duration_minutes,
        **settled,
    )
    why = "settled by an admin: it did happen"
    record(
        uow,
        EntityKind.SESSION,
        session.id,
        SessionStatus.NO_SHOW,
        SessionStatus.COMPLETED,
        admin_id,
        now,
        why,
    )
    if uow.requests.transition(
        session.request_id,
        [RequestStatus.NO_SHOW],
        RequestStatus.COMPLETED,
        now,
        quota_refunded=False,
    ):
        record(
            uow,
            EntityKind.REQUEST,
            session.request_id,
            RequestStatus.NO_SHOW,
            RequestStatus.COMPLETED,
            admin_id,
            now,
            why,
        )


def _locked(uow: UnitOfWork, session_id: int) -> MentorshipSession:
    """The session, read again after locking its student: a dispute and a settlement
    (or two admins) pressing at once are decided one after the other."""
    session = load_session(uow, session_id)
    uow.members.lock(session.student_id)
    return load_session(uow, session_id)


def _said(settled_as: str | None) -> str:
    return "completed" if settled_as == SETTLED_COMPLETED else "a no-show"
