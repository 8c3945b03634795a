"""Giving a claimed request a time, moving it, and calling it off."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from core.errors import (
    AlreadyDone,
    InvalidTransition,
    NotAllowed,
    SlotUnavailable,
    ValidationFailed,
)
from core.events import EntityKind, TransitionEvent
from core.lifecycle import (
    UNFINISHED_REQUEST_STATES,
    RequestStatus,
    SessionStatus,
    check_request_transition,
)
from core.members import Member
from core.notifications import Kind, Notification, to_member
from core.ports import UnitOfWork, record
from core.requests import MentorshipRequest
from core.services.common import (
    card_update,
    card_update_notice,
    clean_reason,
    close_session_for_request,
    invite_sequence,
    load_request,
    load_session,
    revision,
)
from core.services.context import (
    ServiceContext,
    load_member,
    load_members,
    local_today,
    require_approved_mentor,
)
from core.services.requests import cancel_request, notify_cancelled
from core.sessions import MentorshipSession
from core.slots import compute_slots, local_day_bounds
from core.validation import check_date_range

SESSION_NOTIFICATIONS = (Kind.REMINDER, Kind.OUTCOME_PROMPT)


def _slots(
    uow: UnitOfWork,
    ctx: ServiceContext,
    request: MentorshipRequest,
    mentor_id: int,
    days: tuple[date, date] | None = None,
    ignore_own: bool = False,
    people: dict[int, Member] | None = None,
) -> list[datetime]:
    """``ignore_own``: the request's own session (at most one) is not in the way of its
    new time: it is the one being moved."""
    if people is None or not {mentor_id, request.student_id} <= people.keys():
        people = load_members(uow, mentor_id, request.student_id)  # one read for both
    mentor, student = people[mentor_id], people[request.student_id]
    day_from, day_until = days or (request.available_from, request.available_until)
    start, end = local_day_bounds(day_from, day_until, student.timezone)
    busy = [
        (s.scheduled_at, s.ends_at)
        for s in uow.sessions.busy_for_members(
            (mentor_id, request.student_id), start - timedelta(days=1), end
        )
        if not (ignore_own and s.request_id == request.id)
    ]
    return compute_slots(
        windows=uow.mentors.windows(mentor_id),
        mentor_zone=mentor.timezone,
        student_zone=student.timezone,
        available_from=day_from,
        available_until=day_until,
        duration=timedelta(minutes=request.duration_minutes),
        busy=busy,
        now=ctx.now(),
        min_notice=ctx.policy.min_notice,
        step=ctx.policy.slot_step,
        limit=ctx.policy.max_slots_offered,
        student_hours=request.student_hours,
    )


def _is_free_slot(
    uow: UnitOfWork,
    ctx: ServiceContext,
    request: MentorshipRequest,
    mentor_id: int,
    start: datetime,
    days: tuple[date, date] | None = None,
    *,
    ignore_own: bool = False,
) -> bool:
    """Whether ``start`` is one of ``_slots``: they are computed over the student's day it
    starts on and the next (a slot may run past midnight), not over the whole range. A
    booking holds both people's locks while it checks, and the range's slots (up to 200,
    over weeks) were most of its time (issue 14). A free time beyond the first 200 of the
    range is bookable too, as the days' own list offers it."""
    people = load_members(uow, mentor_id, request.student_id)
    first, last = days or (request.available_from, request.available_until)
    day = local_today(people[request.student_id], start)
    if not first <= day <= last:
        return False
    around = (day, min(day + timedelta(days=1), last))
    return start in _slots(
        uow, ctx, request, mentor_id, around, ignore_own=ignore_own, people=people
    )


def _check_days(
    ctx: ServiceContext, uow: UnitOfWork, request: MentorshipRequest, days: tuple[date, date] | None
) -> None:
    if days is None:
        return
    today = local_today(load_member(uow, request.student_id), ctx.now())
    errors = check_date_range(days[0], days[1], today, ctx.policy)
    if errors:
        raise ValidationFailed(errors)


def available_slots(
    ctx: ServiceContext, actor_id: int, request_id: int, days: tuple[date, date] | None = None
) -> list[datetime]:
    """UTC start times the claiming mentor can offer; each front-end shows them per zone."""
    with ctx.uow_factory() as uow:
        return slots_in(uow, ctx, actor_id, load_request(uow, request_id), days)


def slots_in(
    uow: UnitOfWork,
    ctx: ServiceContext,
    actor_id: int,
    request: MentorshipRequest,
    days: tuple[date, date] | None = None,
    people: dict[int, Member] | None = None,
) -> list[datetime]:
    """``available_slots`` inside the caller's transaction (``offer_slots`` reads the
    request and the people once for both: ``people``, when already read)."""
    if actor_id not in (request.claimed_by, request.student_id):
        raise NotAllowed("Only the student and the mentor of this request can see its slots.")
    if request.claimed_by is None:
        raise InvalidTransition("Nobody has claimed this request yet.")
    if request.status not in UNFINISHED_REQUEST_STATES:  # cancelled, expired, done
        check_request_transition(request.status, RequestStatus.SCHEDULED)  # says why not
    _check_days(ctx, uow, request, days)
    return _slots(uow, ctx, request, request.claimed_by, days, ignore_own=True, people=people)


def schedule_session(
    ctx: ServiceContext,
    actor_id: int,
    request_id: int,
    start: datetime,
    meeting_link: str | None = None,
) -> MentorshipSession:
    """The claiming mentor picks a slot; both people are locked so neither is double-booked."""
    now = ctx.now()
    with ctx.uow_factory() as uow:
        request = load_request(uow, request_id)
        if request.claimed_by != actor_id:  # the student too: not "become a mentor"
            raise NotAllowed("Only the mentor who claimed this request can schedule it.")
        profile = require_approved_mentor(uow, actor_id)
        check_request_transition(request.status, RequestStatus.SCHEDULED)
        uow.members.lock_all({actor_id, request.student_id})
        if not _is_free_slot(uow, ctx, request, actor_id, start):
            raise SlotUnavailable()
        # the request moves first: a second booking of the same request (a double press
        # that waited on the lock above) is refused here, before it could insert a
        # second session (the soak saw an IntegrityError reach the mentor)
        if not uow.requests.transition(
            request_id,
            [RequestStatus.CLAIMED],
            RequestStatus.SCHEDULED,
            now,
            if_claimed_by=actor_id,  # released and claimed by another meanwhile: not ours
        ):
            moved = uow.requests.get(request_id)
            if moved is not None and moved.status == RequestStatus.SCHEDULED:
                raise AlreadyDone("That request already has a session; nothing changed.")
            raise InvalidTransition()
        link = meeting_link or profile.meeting_link or ctx.new_meeting_link()
        session = uow.sessions.add(
            MentorshipSession(
                id=0,
                request_id=request_id,
                mentor_id=actor_id,
                student_id=request.student_id,
                session_type=request.session_type,
                status=SessionStatus.SCHEDULED,
                scheduled_at=start,
                ends_at=start + timedelta(minutes=request.duration_minutes),
                duration_minutes=request.duration_minutes,
                meeting_link=link,
                created_at=now,
                updated_at=now,
            )
        )
        uow.events.add_many(
            [
                TransitionEvent(
                    EntityKind.REQUEST,
                    request_id,
                    RequestStatus.CLAIMED,
                    RequestStatus.SCHEDULED,
                    actor_id,
                    now,
                ),
                TransitionEvent(
                    EntityKind.SESSION, session.id, None, SessionStatus.SCHEDULED, actor_id, now
                ),
            ]
        )
        uow.notifications.cancel_pending(request_id=request_id, kinds=[Kind.MENTOR_NUDGE])
        told = [
            to_member(
                Kind.SESSION_SCHEDULED,
                member_id,
                now,
                f"s{session.id}",
                request_id=request_id,
                session_id=session.id,
                sequence=0,
            )
            for member_id in (session.student_id, session.mentor_id)
        ]
        version = revision(uow, EntityKind.REQUEST, request_id)
        told.append(card_update_notice(request_id, now, "scheduled", version))
        # a new session has had one transition (just recorded): its revision is 1
        told += session_notifications(ctx, session, version=1)
        uow.notifications.add_many(told)  # the bookings, reminders and card: one round trip
        uow.commit()
    return session


def book_session_notifications(
    uow: UnitOfWork, ctx: ServiceContext, session: MentorshipSession
) -> None:
    """Reminders at each offset (skipping those already past) and the 'did it happen?' ask.

    Keys include the start time and the session's revision, so a reschedule books new rows
    rather than colliding with the cancelled ones (also when it returns to an earlier time).
    """
    version = revision(uow, EntityKind.SESSION, session.id)
    uow.notifications.add_many(session_notifications(ctx, session, version))


def session_notifications(
    ctx: ServiceContext, session: MentorshipSession, version: int
) -> list[Notification]:
    """What ``book_session_notifications`` books, for a caller that books it with others
    and knows the session's revision (``version``)."""
    now = ctx.now()
    stamp = f"{session.scheduled_at.isoformat()}:v{version}"
    booked = []
    for member_id in (session.student_id, session.mentor_id):
        for offset in ctx.policy.reminder_offsets:
            due = session.scheduled_at - offset
            if due <= now:
                continue
            minutes = int(offset.total_seconds() // 60)
            booked.append(
                to_member(
                    Kind.REMINDER,
                    member_id,
                    due,
                    f"s{session.id}:{stamp}:{minutes}m",
                    request_id=session.request_id,
                    session_id=session.id,
                    offset_minutes=minutes,
                )
            )
        booked.append(
            to_member(
                Kind.OUTCOME_PROMPT,
                member_id,
                session.ends_at,
                f"s{session.id}:{stamp}",
                request_id=session.request_id,
                session_id=session.id,
            )
        )
    return booked


def reschedule_session(
    ctx: ServiceContext,
    actor_id: int,
    session_id: int,
    start: datetime,
    days: tuple[date, date] | None = None,
) -> MentorshipSession:
    now = ctx.now()
    with ctx.uow_factory() as uow:
        session = load_session(uow, session_id)
        if actor_id not in (session.mentor_id, session.student_id):
            raise NotAllowed("Only the student and the mentor of this session can move it.")
        if session.status != SessionStatus.SCHEDULED:
            state = session.status.lower().replace("_", "-")
            raise InvalidTransition(f"This session is {state}; it cannot move.")
        if start == session.scheduled_at:  # the booked time pressed again: nothing to do
            raise AlreadyDone("That is already the time.")
        request = load_request(uow, session.request_id)
        _check_days(ctx, uow, request, days)
        uow.members.lock_all({session.mentor_id, session.student_id})
        if not _is_free_slot(uow, ctx, request, session.mentor_id, start, days, ignore_own=True):
            raise SlotUnavailable()
        old_start = session.scheduled_at
        ends_at = start + timedelta(minutes=session.duration_minutes)
        # the reason this person gave when they pressed Reschedule (core.services.moves)
        why = session.move_reason if session.move_reason_by == actor_id else None
        if not uow.sessions.transition(
            session_id,
            [SessionStatus.SCHEDULED],
            SessionStatus.SCHEDULED,
            now,
            scheduled_at=start,
            ends_at=ends_at,
            move_reason=None,
            move_reason_by=None,
        ):
            raise InvalidTransition()
        record(
            uow,
            EntityKind.SESSION,
            session_id,
            SessionStatus.SCHEDULED,
            SessionStatus.SCHEDULED,
            actor_id,
            now,
            why or f"rescheduled from {old_start.isoformat()} to {start.isoformat()}",
        )
        uow.notifications.cancel_pending(session_id=session_id, kinds=SESSION_NOTIFICATIONS)
        session.scheduled_at, session.ends_at = start, ends_at
        session.move_reason = session.move_reason_by = None
        version = revision(uow, EntityKind.SESSION, session_id)
        key = f"s{session_id}:{start.isoformat()}:v{version}"
        for member_id in (session.student_id, session.mentor_id):
            uow.notifications.add(
                to_member(
                    Kind.SESSION_RESCHEDULED,
                    member_id,
                    now,
                    key,
                    request_id=session.request_id,
                    session_id=session_id,
                    by=actor_id,
                    reason=why,
                    sequence=invite_sequence(version),
                )
            )
        book_session_notifications(uow, ctx, session)
        uow.commit()
    return session


NOT_YOURS_TO_CANCEL = "Only the student and the mentor of this session can cancel it."


def cancel_session_would_act(ctx: ServiceContext, actor_id: int, session_id: int) -> bool:
    """Whether ``cancel_session`` would cancel the session now (a reason is then worth
    asking for) rather than answer a repeat; refuses, as it would, anyone who may not."""
    with ctx.uow_factory() as uow:
        session = load_session(uow, session_id)
        actor = load_member(uow, actor_id)
    if actor_id not in (session.student_id, session.mentor_id) and not actor.is_admin:
        raise NotAllowed(NOT_YOURS_TO_CANCEL)
    return session.status == SessionStatus.SCHEDULED


def cancel_session(
    ctx: ServiceContext, actor_id: int, session_id: int, reason: str | None = None
) -> MentorshipSession:
    """Either person calls it off; the request is cancelled with it and its quota returns."""
    with ctx.uow_factory() as uow:
        session = load_session(uow, session_id)
        actor = load_member(uow, actor_id)
    if actor_id == session.student_id or actor.is_admin:
        cancel_request(ctx, actor_id, session.request_id, reason)
    elif actor_id == session.mentor_id:
        _mentor_cancels(ctx, actor_id, session, reason)
    else:
        raise NotAllowed(NOT_YOURS_TO_CANCEL)
    with ctx.uow_factory() as uow:
        return load_session(uow, session_id)


def _mentor_cancels(
    ctx: ServiceContext, actor_id: int, session: MentorshipSession, reason: str | None
) -> None:
    cleaned = clean_reason(ctx, reason)
    now = ctx.now()
    why = cleaned or "cancelled by the mentor"
    with ctx.uow_factory() as uow:
        request = load_request(uow, session.request_id)
        if not uow.requests.transition(
            request.id, [RequestStatus.SCHEDULED], RequestStatus.CANCELLED, now, cancel_reason=why
        ):
            current = load_request(uow, request.id).status
            if current == RequestStatus.CANCELLED:
                return  # a second press: already done
            check_request_transition(current, RequestStatus.CANCELLED)
            raise InvalidTransition()
        record(
            uow,
            EntityKind.REQUEST,
            request.id,
            RequestStatus.SCHEDULED,
            RequestStatus.CANCELLED,
            actor_id,
            now,
            why,
        )
        uow.notifications.cancel_pending(request_id=request.id)
        close_session_for_request(uow, request, actor_id, now, why)
        notify_cancelled(uow, request, actor_id, now)
        card_update(uow, request.id, now, "cancelled")
        uow.commit()


def my_sessions(ctx: ServiceContext, actor_id: int) -> list[MentorshipSession]:
    """My sessions as student or mentor; a student never sees the mentor's private notes."""
    with ctx.uow_factory() as uow:
        sessions = uow.sessions.for_member(actor_id)
    shown = [s if s.mentor_id == actor_id else s.for_student() for s in sessions]
    return sorted(shown, key=lambda s: s.scheduled_at)


def get_session(ctx: ServiceContext, actor_id: int, session_id: int) -> MentorshipSession:
    with ctx.uow_factory() as uow:
        actor = load_member(uow, actor_id)
        session = load_session(uow, session_id)
    if actor_id == session.mentor_id or actor.is_admin:
        return session
    if actor_id == session.student_id:
        return session.for_student()
    raise NotAllowed("You cannot see that session.")
