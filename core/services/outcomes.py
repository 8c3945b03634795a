"""After the session: did it happen, the rating, and the mentor's private notes."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from core.errors import AlreadyRated, InvalidTransition, NotAllowed, ValidationFailed
from core.events import EntityKind
from core.lifecycle import RequestStatus, SessionStatus
from core.notifications import Kind, to_member
from core.ports import UnitOfWork, record
from core.services.common import load_session
from core.services.context import ServiceContext, load_member
from core.services.notes import append_note
from core.sessions import MentorshipSession, NoShowParty, Outcome, outcomes_for
from core.validation import clean_text, validate_one

_DONE_STATES = (SessionStatus.COMPLETED, SessionStatus.NO_SHOW)


def _role_in(session: MentorshipSession, actor_id: int, is_admin: bool) -> str:
    if actor_id == session.mentor_id:
        return "mentor"
    if actor_id == session.student_id:
        return "student"
    if is_admin:
        return "admin"
    raise NotAllowed("Only the student and the mentor of this session can do that.")


def record_outcome(
    ctx: ServiceContext,
    actor_id: int,
    session_id: int,
    outcome: Outcome,
    *,
    duration_minutes: int | None = None,
    mentor_notes: str | None = None,
) -> MentorshipSession:
    """The answer to "did it happen?"; the first answer wins, a matching second is a no-op."""
    now = ctx.now()
    notes = _clean_notes(ctx, mentor_notes)
    duration = _check_duration(duration_minutes)
    with ctx.uow_factory() as uow:
        actor = load_member(uow, actor_id)
        session = load_session(uow, session_id)
        role = _role_in(session, actor_id, actor.is_admin)
        if role != "admin" and outcome not in outcomes_for(session, actor_id):
            raise NotAllowed("You cannot report that outcome for your own session.")
        if role != "mentor" and (notes or duration):
            raise NotAllowed("Only the mentor records notes and the real duration.")
        if now < session.scheduled_at:
            raise ValidationFailed({"outcome": "The session has not started yet."})
        target = SessionStatus.COMPLETED if outcome == Outcome.COMPLETED else SessionStatus.NO_SHOW
        no_show = {
            Outcome.MENTOR_NO_SHOW: NoShowParty.MENTOR,
            Outcome.STUDENT_NO_SHOW: NoShowParty.STUDENT,
        }.get(outcome)
        changes: dict[str, object] = {"no_show_by": no_show}
        if no_show is not None:
            changes["no_show_at"] = now  # the other side may dispute it from then
        if target == SessionStatus.COMPLETED:
            changes.update(
                completed_at=now, session_duration_minutes=duration or session.duration_minutes
            )
        uow.requests.lock(session.request_id)  # the request before its session (a cancel)
        if not uow.sessions.transition(
            session_id, [SessionStatus.SCHEDULED], target, now, **changes
        ):
            return _already_recorded(uow, session_id, target, no_show)
        record(
            uow,
            EntityKind.SESSION,
            session_id,
            SessionStatus.SCHEDULED,
            target,
            actor_id,
            now,
            outcome.value,
        )
        if notes:  # kept whatever the outcome (a no-show is worth a note too)
            append_note(uow, load_session(uow, session_id), actor_id, notes, now)
        _close_request(uow, session, target, no_show, actor_id, now)
        _notify_outcome(
            uow,
            session,
            target,
            no_show,
            now,
            notes_given=bool(notes),
            reminder_after=ctx.policy.rating_reminder_after,
        )
        # what the conditional write made of it, not read back (issue 14); a note given
        # was written by append_note, so that one is read
        result = (
            load_session(uow, session_id)
            if notes
            else replace(session, status=target, updated_at=now, **changes)  # type: ignore[arg-type]
        )
        uow.commit()
        return result


def _already_recorded(
    uow: UnitOfWork, session_id: int, target: SessionStatus, no_show: NoShowParty | None
) -> MentorshipSession:
    current = load_session(uow, session_id)
    if current.status == target and current.no_show_by == no_show:
        return current
    if current.status == SessionStatus.NO_SHOW:
        raise InvalidTransition(f"Already recorded: the {current.no_show_by} did not show up.")
    raise InvalidTransition(f"Already recorded as {current.status.lower()}.")


def _close_request(
    uow: UnitOfWork,
    session: MentorshipSession,
    target: SessionStatus,
    no_show: NoShowParty | None,
    actor_id: int,
    now: datetime,
) -> None:
    request_target = (
        RequestStatus.COMPLETED if target == SessionStatus.COMPLETED else RequestStatus.NO_SHOW
    )
    # A mentor who did not come should not cost the student a session.
    refund = no_show == NoShowParty.MENTOR
    if uow.requests.transition(
        session.request_id, [RequestStatus.SCHEDULED], request_target, now, quota_refunded=refund
    ):
        record(
            uow,
            EntityKind.REQUEST,
            session.request_id,
            RequestStatus.SCHEDULED,
            request_target,
            actor_id,
            now,
        )


def _notify_outcome(
    uow: UnitOfWork,
    session: MentorshipSession,
    target: SessionStatus,
    no_show: NoShowParty | None,
    now: datetime,
    *,
    notes_given: bool,
    reminder_after: timedelta,
) -> None:
    uow.notifications.cancel_pending(
        session_id=session.id, kinds=[Kind.OUTCOME_PROMPT, Kind.REMINDER]
    )
    ids = {"request_id": session.request_id, "session_id": session.id}
    key = f"s{session.id}"
    if target == SessionStatus.COMPLETED:
        notices = [
            to_member(Kind.RATING_PROMPT, session.student_id, now, key, **ids),
            to_member(Kind.RATING_REMINDER, session.student_id, now + reminder_after, key, **ids),
        ]
        if not notes_given:
            notices.append(to_member(Kind.MENTOR_NOTES_PROMPT, session.mentor_id, now, key, **ids))
    else:
        notices = [
            to_member(Kind.NO_SHOW_RECORDED, member_id, now, key, no_show_by=str(no_show), **ids)
            for member_id in (session.student_id, session.mentor_id)
        ]
    uow.notifications.add_many(notices)  # one round trip


def rate_session(
    ctx: ServiceContext, actor_id: int, session_id: int, rating: int, feedback: str | None = None
) -> MentorshipSession:
    """The student's 1-5 rating, once, and only for a session that took place."""
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        raise ValidationFailed({"rating": "Please rate from 1 to 5."})
    text = _clean_feedback(ctx, feedback)
    now = ctx.now()
    with ctx.uow_factory() as uow:
        session = load_session(uow, session_id)
        if actor_id != session.student_id:
            raise NotAllowed("Only the student of this session can rate it.")
        if session.status != SessionStatus.COMPLETED:
            raise InvalidTransition("You can rate a session once it has been completed.")
        if not uow.sessions.rate(session_id, rating, text or None, now):
            raise AlreadyRated()
        uow.notifications.cancel_pending(
            session_id=session_id, kinds=[Kind.RATING_PROMPT, Kind.RATING_REMINDER]
        )
        # the conditional write matched: this is the row now, not read back (issue 14)
        rated = replace(session, session_rating=rating, session_feedback=text or None)
        uow.commit()
        return replace(rated, updated_at=now).for_student()


def leave_feedback(
    ctx: ServiceContext, actor_id: int, session_id: int, feedback: str
) -> MentorshipSession:
    """Optional words after the stars; written once, like the rating."""
    text = _clean_feedback(ctx, feedback)
    if not text:
        raise ValidationFailed({"feedback": "The feedback cannot be empty."})
    now = ctx.now()
    with ctx.uow_factory() as uow:
        session = load_session(uow, session_id)
        if actor_id != session.student_id:
            raise NotAllowed("Only the student of this session can leave feedback.")
        if session.session_rating is None:
            raise InvalidTransition("Please choose a rating first.")
        if not uow.sessions.set_feedback(session_id, text, now):
            raise AlreadyRated("Your feedback for this session is already saved. Thank you!")
        result = load_session(uow, session_id).for_student()
        uow.commit()
        return result


def update_mentor_notes(
    ctx: ServiceContext,
    actor_id: int,
    session_id: int,
    *,
    mentor_notes: str | None = None,
    duration_minutes: int | None = None,
) -> MentorshipSession:
    """A new private note (added to the earlier ones, never replacing them) and/or a
    corrected real duration, after the session."""
    notes = _clean_notes(ctx, mentor_notes)
    duration = _check_duration(duration_minutes)
    now = ctx.now()
    with ctx.uow_factory() as uow:
        session = load_session(uow, session_id)
        if actor_id != session.mentor_id:
            raise NotAllowed("Only the mentor of this session can write its notes.")
        if session.status not in _DONE_STATES:
            raise InvalidTransition("Notes can be added once the session has taken place.")
        if duration is not None:
            uow.sessions.update_notes(
                session_id,
                now,
                mentor_notes=session.mentor_notes,
                session_duration_minutes=duration,
            )
        if notes:
            append_note(uow, load_session(uow, session_id), actor_id, notes, now)
        uow.notifications.cancel_pending(session_id=session_id, kinds=[Kind.MENTOR_NOTES_PROMPT])
        result = load_session(uow, session_id)
        uow.commit()
        return result


def _clean_notes(ctx: ServiceContext, notes: str | None) -> str:
    return validate_one(
        "mentor_notes",
        lambda: clean_text(
            notes, "The notes", ctx.policy.notes_max, required=False, multiline=True
        ),
    )


def _clean_feedback(ctx: ServiceContext, feedback: str | None) -> str:
    return validate_one(
        "feedback",
        lambda: clean_text(
            feedback, "The feedback", ctx.policy.feedback_max, required=False, multiline=True
        ),
    )


def _check_duration(minutes: int | None) -> int | None:
    if minutes is None:
        return None
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= 480:
        raise ValidationFailed({"duration": "The real duration must be 1 to 480 minutes."})
    return minutes
