"""A student's side of a request: submit, look, extend, cancel, repost."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from core.errors import AlreadyDone, InvalidTransition, NotAllowed, ValidationFailed
from core.events import EntityKind
from core.hours import format_hours
from core.lifecycle import RequestStatus, SessionStatus, check_request_transition
from core.limits import UsageLine, check_can_submit, usage_report
from core.mentors import MentorProfile, MentorStatus, shared_tags
from core.notifications import Audience, Kind, Notification, to_audience, to_member
from core.ports import UnitOfWork, record
from core.requests import MentorshipRequest, RequestDraft
from core.services.common import (
    card_update,
    clean_reason,
    close_session_for_request,
    invite_sequence,
    load_request,
    revision,
)
from core.services.context import ServiceContext, load_member, local_today
from core.timefmt import local_time
from core.validation import validate_draft


def submit_request(ctx: ServiceContext, actor_id: int, draft: RequestDraft) -> MentorshipRequest:
    """Validate, enforce limits under the student's lock, store, and announce."""
    with ctx.uow_factory() as uow:
        request = submit_in(uow, ctx, actor_id, draft)
        uow.commit()
    return request


def submit_in(
    uow: UnitOfWork, ctx: ServiceContext, actor_id: int, draft: RequestDraft
) -> MentorshipRequest:
    """``submit_request`` inside the caller's transaction; the caller commits (a second
    press of Submit, with the same key, returns the first request and writes nothing)."""
    now = ctx.now()
    # locked first: a second press of Submit waits here for the first to commit, then
    # finds its request by the key below
    student = load_member(uow, actor_id, lock=True)
    valid = validate_draft(draft, ctx.catalogue, ctx.policy, local_today(student, now))
    if valid.preferred_mentor_id is not None:
        _check_preferred_mentor(uow, actor_id, valid.preferred_mentor_id)
    earlier, counted = uow.requests.submission_sight(actor_id, draft.submission_key)
    if earlier is not None:
        return earlier  # a second press of Submit: same request, nothing new
    check_can_submit(ctx.catalogue, ctx.policy, valid.session_type, counted)
    request = uow.requests.add(
        actor_id, valid, now, now + ctx.policy.expiry_after, draft.submission_key
    )
    if request.preferred_mentor_id is not None:
        request = reserve_for_chosen_mentor(uow, ctx, request)
    record(uow, EntityKind.REQUEST, request.id, None, RequestStatus.OPEN, actor_id, now)
    # its one transition so far is the one just recorded: revision 1, not read back
    announce_request(uow, ctx, request, reason="new", version=1)
    return request


def announce_request(
    uow: UnitOfWork,
    ctx: ServiceContext,
    request: MentorshipRequest,
    reason: str,
    skip: Collection[int] = (),
    version: int | None = None,
) -> None:
    """Post to the mentors' feed, tell the preferred mentor and the mentors whose tags
    match by DM, and book the expiry warning.

    Called whenever a request enters the queue: submitted (a repost is a new submission)
    or given back by its mentor. ``skip`` names mentors not to DM (the one who just gave
    it back). The periodic re-announcement of unclaimed requests
    (``core.services.sweeps.reannounce_unclaimed``) goes to the feed only: there it brings
    a card that scrolled away back into view, while a DM card is still in the chat.
    ``version``: the request's revision, when the caller knows it (else it is read).
    """
    now = ctx.now()
    if version is None:
        version = revision(uow, EntityKind.REQUEST, request.id)
    key = f"r{request.id}:{reason}:v{version}"
    # a request still reserved for its chosen mentor reaches them alone (core.directed)
    posts = (
        []
        if request.reserved
        else [to_audience(Kind.REQUEST_POSTED, Audience.MENTORS, now, key, request_id=request.id)]
    )
    chosen = request.preferred_mentor_id
    if chosen is not None and chosen not in skip:
        posts.append(to_member(Kind.REQUEST_FOR_YOU, chosen, now, key, request_id=request.id))
    if ctx.policy.dm_matching_mentors and not request.reserved:
        posts.extend(
            to_member(Kind.REQUEST_MATCHED, mentor_id, now, key, request_id=request.id, tags=tags)
            for mentor_id, tags in matching_mentors(uow, request, skip)
        )
    if reason == "new":  # nothing booked before: its expiry warning joins the batch
        posts.append(expiry_warning(ctx, request, version))
    uow.notifications.add_many(posts)  # one round trip for the card and every DM
    if reason != "new":
        # Back in the queue (released): this post is its announcement, so re-announcements
        # are paced from now, not from creation (else the sweep posts it again at once).
        uow.requests.mark_announced(request.id, request.last_announced_at, now)
        book_expiry_warning(uow, ctx, request, version)


def reserve_for_chosen_mentor(
    uow: UnitOfWork, ctx: ServiceContext, request: MentorshipRequest
) -> MentorshipRequest:
    """Only the chosen mentor may claim a new request addressed to them, for a while."""
    until = ctx.now() + ctx.policy.directed_exclusive_for
    uow.requests.transition(
        request.id, [RequestStatus.OPEN], RequestStatus.OPEN, ctx.now(), exclusive_until=until
    )
    return replace(request, exclusive_until=until)


def matching_mentors(
    uow: UnitOfWork,
    request: MentorshipRequest,
    skip: Collection[int] = (),
    profiles: Sequence[MentorProfile] | None = None,
) -> list[tuple[int, list[str]]]:
    """Approved mentors whose expertise shares a tag with the request, with those tags.

    Left out: the student (a mentor may ask for help too), the preferred mentor (who has
    a message of their own, REQUEST_FOR_YOU, whatever their tags) and ``skip``. One DM
    each, under a key naming the mentor, so a mentor is told once per announcement.
    ``profiles``: the approved mentors, when the caller has already read them.
    """
    if not request.tags:
        return []
    if profiles is None:
        profiles = uow.mentors.list_profiles(MentorStatus.APPROVED)
    left_out = {request.student_id, request.preferred_mentor_id, *skip}
    found = []
    for profile in profiles:
        if profile.member_id in left_out:
            continue
        tags = shared_tags(profile.expertise_tags, request.tags)
        if tags:
            found.append((profile.member_id, tags))
    return found


def book_expiry_warning(
    uow: UnitOfWork, ctx: ServiceContext, request: MentorshipRequest, version: int | None = None
) -> None:
    """The one pending expiry warning of a request, for its current expiry (an earlier
    one is cancelled). ``version``: the request's revision when the caller has it."""
    if version is None:
        version = revision(uow, EntityKind.REQUEST, request.id)
    uow.notifications.cancel_pending(request_id=request.id, kinds=[Kind.EXPIRY_WARNING])
    uow.notifications.add(expiry_warning(ctx, request, version))


def expiry_warning(ctx: ServiceContext, request: MentorshipRequest, version: int) -> Notification:
    warn_at = request.expires_at - ctx.policy.expiry_warning_before
    return to_member(
        Kind.EXPIRY_WARNING,
        request.student_id,
        max(warn_at, ctx.now()),
        f"r{request.id}:{request.expires_at.isoformat()}:v{version}",
        request_id=request.id,
    )


def _check_preferred_mentor(uow: UnitOfWork, actor_id: int, mentor_id: int) -> None:
    profile = uow.mentors.get(mentor_id)
    if profile is None or not profile.is_approved:
        raise ValidationFailed({"preferred_mentor_id": "That mentor is not available."})
    if mentor_id == actor_id:
        raise ValidationFailed({"preferred_mentor_id": "You cannot mentor yourself."})


NOT_YOURS_TO_CANCEL = "Only the student who asked can cancel this request."


def cancel_request_would_act(ctx: ServiceContext, actor_id: int, request_id: int) -> bool:
    """Whether ``cancel_request`` would cancel something now (so a reason is worth asking
    for) rather than answer a repeat; refuses, as it would, anyone who may not."""
    with ctx.uow_factory() as uow:
        actor = load_member(uow, actor_id)
        request = load_request(uow, request_id)
    if request.student_id != actor_id and not actor.is_admin:
        raise NotAllowed(NOT_YOURS_TO_CANCEL)
    if request.status == RequestStatus.CANCELLED:
        return False
    check_request_transition(request.status, RequestStatus.CANCELLED)
    return True


def cancel_request(
    ctx: ServiceContext, actor_id: int, request_id: int, reason: str | None = None
) -> MentorshipRequest:
    """The student (or an admin) withdraws; a booked session is cancelled with it."""
    why = clean_reason(ctx, reason)
    now = ctx.now()
    with ctx.uow_factory() as uow:
        actor = load_member(uow, actor_id)
        request = load_request(uow, request_id)
        if request.student_id != actor_id and not actor.is_admin:
            raise NotAllowed(NOT_YOURS_TO_CANCEL)
        # Compare-and-set on the status we saw, so the event's from-status is the truth
        # even if a mentor claimed the request a moment ago; then look again and retry.
        while True:
            if request.status == RequestStatus.CANCELLED:
                return request  # a second press: already done
            check_request_transition(request.status, RequestStatus.CANCELLED)
            if uow.requests.transition(
                request_id,
                [request.status],
                RequestStatus.CANCELLED,
                now,
                cancel_reason=why or "cancelled by the student",
            ):
                break
            request = load_request(uow, request_id)
        record(
            uow,
            EntityKind.REQUEST,
            request_id,
            request.status,
            RequestStatus.CANCELLED,
            actor_id,
            now,
            why or None,
        )
        uow.notifications.cancel_pending(request_id=request_id)
        close_session_for_request(uow, request, actor_id, now, why or "request cancelled")
        notify_cancelled(uow, request, actor_id, now)
        card_update(uow, request_id, now, "cancelled")
        result = load_request(uow, request_id)
        uow.commit()
        return result


def notify_cancelled(
    uow: UnitOfWork, request: MentorshipRequest, actor_id: int, now: datetime
) -> None:
    """Tell everyone involved except whoever cancelled. A booked session's invite is
    withdrawn from both calendars: the others' message carries the cancelling .ics, and
    whoever cancelled gets it too (``Kind.SESSION_CANCELLED``)."""
    session = uow.sessions.for_request(request.id)
    invite: dict[str, Any] = {}
    if session is not None and session.status == SessionStatus.CANCELLED:
        version = revision(uow, EntityKind.SESSION, session.id)
        invite = {"session_id": session.id, "sequence": invite_sequence(version)}
        if actor_id in (session.student_id, session.mentor_id):
            uow.notifications.add(
                to_member(
                    Kind.SESSION_CANCELLED,
                    actor_id,
                    now,
                    f"s{session.id}",
                    request_id=request.id,
                    by=actor_id,
                    **invite,
                )
            )
    for member_id in {request.student_id, request.claimed_by} - {actor_id, None}:
        assert member_id is not None
        uow.notifications.add(
            to_member(
                Kind.REQUEST_CANCELLED,
                member_id,
                now,
                f"r{request.id}",
                request_id=request.id,
                by=actor_id,
                **invite,
            )
        )


def draft_for_edit(ctx: ServiceContext, actor_id: int, request_id: int) -> RequestDraft:
    """The form prefilled with an open request, for its own student only."""
    with ctx.uow_factory() as uow:
        r = load_request(uow, request_id)
    if r.student_id != actor_id:
        raise NotAllowed("Only the student who asked can edit this request.")
    if r.status != RequestStatus.OPEN:
        state = r.status.value.lower().replace("_", "-")
        raise InvalidTransition(f"Only an open request can be edited; this one is {state}.")
    return RequestDraft(
        session_type=r.session_type,
        title=r.title,
        description=r.description,
        extra=dict(r.extra),
        duration_minutes=r.duration_minutes,
        urgency=r.urgency.value,
        available_from=r.available_from,
        available_until=r.available_until,
        tags=list(r.tags),
        preferred_mentor_id=r.preferred_mentor_id,
        open_to_others=r.open_to_others,
        student_hours=format_hours(r.student_hours),
    )


def draft_for_mentor(ctx: ServiceContext, actor_id: int, mentor_id: int) -> RequestDraft:
    """A fresh form naming a mentor (the 'Request <name>' button of the mentors' list).

    Checked now, as submitting will check it, so that a button for a mentor who has since
    been suspended, one's own button or a forged id is refused before a form opens,
    rather than after the student has filled it in.
    """
    with ctx.uow_factory() as uow:
        load_member(uow, actor_id)
        _check_preferred_mentor(uow, actor_id, mentor_id)
    return RequestDraft(preferred_mentor_id=mentor_id)


def update_request(
    ctx: ServiceContext, actor_id: int, request_id: int, draft: RequestDraft
) -> MentorshipRequest:
    """The student edits a request nobody has claimed yet (the expiry warning's Edit)."""
    now = ctx.now()
    with ctx.uow_factory() as uow:
        student = load_member(uow, actor_id)
        request = load_request(uow, request_id)
        if request.student_id != actor_id:
            raise NotAllowed("Only the student who asked can edit this request.")
        valid = validate_draft(draft, ctx.catalogue, ctx.policy, local_today(student, now))
        uow.members.lock(actor_id)
        others = [r for r in uow.requests.counted_for_student(actor_id) if r.id != request_id]
        check_can_submit(ctx.catalogue, ctx.policy, valid.session_type, others)
        # Conditional on OPEN: an edit racing a claim must not undo the claim.
        if not uow.requests.transition(
            request_id,
            [RequestStatus.OPEN],
            RequestStatus.OPEN,
            now,
            **valid.stored_fields(),
        ):
            state = load_request(uow, request_id).status.value.lower().replace("_", "-")
            raise InvalidTransition(f"Only an open request can be edited; this one is {state}.")
        card_update(uow, request_id, now, f"edited-{now.isoformat()}")
        result = load_request(uow, request_id)
        _tell_newly_concerned(uow, ctx, request, result, now)
        uow.commit()
        return result


def _tell_newly_concerned(
    uow: UnitOfWork,
    ctx: ServiceContext,
    before: MentorshipRequest,
    after: MentorshipRequest,
    now: datetime,
) -> None:
    """An edit that adds tags or names another mentor tells those it now concerns (the
    mentors told before keep their card, which the card update redraws)."""
    key = f"r{after.id}:edited-{now.isoformat()}"
    mentors = uow.mentors.list_profiles(MentorStatus.APPROVED)  # read once, for both
    told_before: set[int | None] = {m for m, _ in matching_mentors(uow, before, profiles=mentors)}
    told_before.add(before.preferred_mentor_id)
    posts = []
    chosen = after.preferred_mentor_id
    if chosen is not None and chosen not in told_before:
        posts.append(to_member(Kind.REQUEST_FOR_YOU, chosen, now, key, request_id=after.id))
    if ctx.policy.dm_matching_mentors:
        posts.extend(
            to_member(Kind.REQUEST_MATCHED, mentor_id, now, key, request_id=after.id, tags=tags)
            for mentor_id, tags in matching_mentors(uow, after, profiles=mentors)
            if mentor_id not in told_before
        )
    uow.notifications.add_many(posts)


def extend_request(
    ctx: ServiceContext, actor_id: int, request_id: int, shown_expiry: datetime | None = None
) -> MentorshipRequest:
    """Keep an open request alive for another period (the expiry warning's button).

    ``shown_expiry``: the expiry the pressed warning named. Its Extend works once: when the
    expiry has already moved past it (a second press), nothing changes and the student is
    told until when it now runs (AlreadyDone)."""
    now = ctx.now()
    with ctx.uow_factory() as uow:
        request = load_request(uow, request_id)
        if request.student_id != actor_id:
            raise NotAllowed("Only the student who asked can extend this request.")
        uow.members.lock(actor_id)  # two presses at once: the second sees the first's expiry
        request = load_request(uow, request_id)
        # whole seconds: a button carries the expiry to the second
        if shown_expiry is not None and _seconds(request.expires_at) > _seconds(shown_expiry):
            zone = load_member(uow, actor_id).timezone
            raise AlreadyDone(f"Already extended to {local_time(request.expires_at, zone)}.")
        new_expiry = max(request.expires_at, now) + ctx.policy.extension
        if not uow.requests.transition(
            request_id, [RequestStatus.OPEN], RequestStatus.OPEN, now, expires_at=new_expiry
        ):
            # Not check_request_transition: CLAIMED -> OPEN is allowed (a release).
            state = load_request(uow, request_id).status.lower().replace("_", "-")
            raise InvalidTransition(f"Only an open request can be extended; this one is {state}.")
        request.expires_at = new_expiry
        book_expiry_warning(uow, ctx, request)
        uow.commit()
    return request


def _seconds(instant: datetime) -> int:
    return int(instant.timestamp())


def repost_request(ctx: ServiceContext, actor_id: int, request_id: int) -> MentorshipRequest:
    """Submit an expired or cancelled request again, its dates moved forward if needed."""
    with ctx.uow_factory() as uow:
        old = load_request(uow, request_id)
        student = load_member(uow, actor_id)
    if old.student_id != actor_id:
        raise NotAllowed("Only the student who asked can repost this request.")
    if old.status not in (RequestStatus.EXPIRED, RequestStatus.CANCELLED):
        raise ValidationFailed({"request": _why_not_repost(old.status)})
    today = local_today(student, ctx.now())
    shift = max(timedelta(0), today - old.available_from)
    horizon = today + timedelta(days=ctx.policy.horizon_days)
    draft = RequestDraft(
        session_type=old.session_type,
        title=old.title,
        description=old.description,
        extra=dict(old.extra),
        duration_minutes=old.duration_minutes,
        urgency=old.urgency.value,
        available_from=old.available_from + shift,
        available_until=min(old.available_until + shift, horizon),
        tags=list(old.tags),
        preferred_mentor_id=old.preferred_mentor_id,
        open_to_others=old.open_to_others,
        student_hours=format_hours(old.student_hours),
        # one repost per original per day: a double tap adds nothing, a later repost works
        submission_key=f"repost:{old.id}:{today.isoformat()}",
    )
    return submit_request(ctx, actor_id, draft)


def _why_not_repost(status: RequestStatus) -> str:
    """Only an open, claimed or booked request is "still active"; a finished one says so."""
    if status == RequestStatus.NO_SHOW:
        return "This request ended in a no-show; to ask again, make a new request."
    if status == RequestStatus.COMPLETED:
        return "This request's session took place; to ask again, make a new request."
    return "This request is still active; no need to repost."


def my_requests(ctx: ServiceContext, actor_id: int) -> list[MentorshipRequest]:
    with ctx.uow_factory() as uow:
        return sorted(uow.requests.for_student(actor_id), key=lambda r: r.created_at, reverse=True)


def usage_left(ctx: ServiceContext, actor_id: int) -> list[UsageLine]:
    """What is left for me: the answer to /limits."""
    with ctx.uow_factory() as uow:
        counted = uow.requests.counted_for_student(actor_id)
    return usage_report(ctx.catalogue, ctx.policy, counted)


def get_request(ctx: ServiceContext, actor_id: int, request_id: int) -> MentorshipRequest:
    """One request, for anyone entitled to see it: its student, mentors and admins."""
    with ctx.uow_factory() as uow:
        actor = load_member(uow, actor_id)
        request = load_request(uow, request_id)
        profile = uow.mentors.get(actor_id)
    visible = (
        request.student_id == actor_id
        or request.claimed_by == actor_id
        or actor.is_admin
        or (profile is not None and profile.is_approved)
    )
    if not visible:
        raise NotAllowed("You cannot see that request.")
    return replace(request)
