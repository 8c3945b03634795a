"""A mentor's side of a request before it has a time: the queue, claim, release, assign."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from core.directed import (
    claim_refusal,
    dates_ended,
    reservation_over,
    stale_message,
    visible_in_queue,
)
from core.errors import AlreadyClaimed, NotAllowed, NotFound
from core.events import EntityKind, TransitionEvent
from core.lifecycle import RequestStatus, check_request_transition
from core.mentors import MentorProfile, shared_tags
from core.notifications import Kind, to_member
from core.ports import UnitOfWork, record
from core.requests import MentorshipRequest, Urgency
from core.services.common import (
    card_update,
    card_update_notice,
    clean_reason,
    load_request,
    no_such,
    present_request,
    revision,
)
from core.services.context import (
    ServiceContext,
    load_member,
    require_admin,
    require_approved,
    require_approved_mentor,
)
from core.services.requests import announce_request

_URGENCY_ORDER = {Urgency.HIGH: 0, Urgency.NORMAL: 1, Urgency.LOW: 2}


def open_requests_for_mentor(ctx: ServiceContext, actor_id: int) -> list[MentorshipRequest]:
    """The queue: requests naming me first, then those matching my tags, then by urgency."""
    with ctx.uow_factory() as uow:
        profile = require_approved_mentor(uow, actor_id)
        requests = [
            r
            for r in uow.requests.open_requests()
            if r.student_id != actor_id and visible_in_queue(r, actor_id)
        ]
        zones = _student_zones(uow, requests)
        now = ctx.now()
        requests = [r for r in requests if not dates_ended(r, zones[r.student_id], now)]

    def rank(r: MentorshipRequest) -> tuple[int, int, int, float]:
        return (
            0 if r.preferred_mentor_id == actor_id else 1,
            -len(shared_tags(profile.expertise_tags, r.tags)),
            _URGENCY_ORDER[r.urgency],
            r.created_at.timestamp(),
        )

    return sorted(requests, key=rank)


def _student_zones(uow: UnitOfWork, requests: list[MentorshipRequest]) -> dict[int, str]:
    students = uow.members.get_many({r.student_id for r in requests})
    return {
        r.student_id: students[r.student_id].timezone if r.student_id in students else "UTC"
        for r in requests
    }


def check_may_claim(
    uow: UnitOfWork,
    request: MentorshipRequest,
    mentor_id: int,
    now: datetime,
    *,
    by_admin: bool = False,
) -> None:
    """Refuse a claim of an open request whose dates have passed, or one addressed to
    another mentor (see core.directed); a request already moved on is explained later.
    An admin's assignment may override the choice of mentor, never the dates."""
    if request.status != RequestStatus.OPEN:
        return
    zone = _student_zones(uow, [request])[request.student_id]
    check_may_claim_in(request, zone, mentor_id, now, by_admin=by_admin)


def check_may_claim_in(
    request: MentorshipRequest,
    student_zone: str,
    mentor_id: int,
    now: datetime,
    *,
    by_admin: bool = False,
) -> None:
    """``check_may_claim`` with the student's zone already read."""
    if request.status != RequestStatus.OPEN:
        return
    if by_admin:
        refusal = stale_message(request) if dates_ended(request, student_zone, now) else None
    else:
        refusal = claim_refusal(request, mentor_id, student_zone, now)
    if refusal is not None:
        raise NotAllowed(refusal)


def claim_request(ctx: ServiceContext, actor_id: int, request_id: int) -> MentorshipRequest:
    """Exactly one mentor wins: the status moves only if it is still OPEN when we write.

    The conditional write comes first and the checks after it, in the same transaction
    (a refused claim is rolled back, so it never happened): racing mentors wait only for
    the winner's short transaction, not behind each other's reads (issue 14: with 100 at
    once, p50 690 ms). Whoever did not win is told why with the usual checks, in the
    usual order (not a mentor, no such request, their own, ... then who has it)."""
    with ctx.uow_factory() as uow:
        request, won = claim_in(uow, ctx, actor_id, request_id)
        if won:
            uow.commit()
        return request


def claim_in(
    uow: UnitOfWork, ctx: ServiceContext, actor_id: int, request_id: int
) -> tuple[MentorshipRequest, bool]:
    """``claim_request`` inside the caller's transaction: the request as it is now, and
    whether this call claimed it (the caller commits then; a refusal raises, and the
    caller's rollback undoes the write)."""
    now = ctx.now()
    claimed = uow.requests.claim_open(request_id, actor_id, now)
    if claimed is None:
        sight = uow.requests.claim_sight(request_id, actor_id)
        require_approved(sight.mentor_status)
        current = present_request(sight.request, request_id)
        if current.student_id == actor_id:
            raise NotAllowed("You cannot claim your own request.")
        check_may_claim_in(current, sight.student_zone, actor_id, now)
        return _explain_lost_claim(current, actor_id, sight.claimer_name), False
    require_approved(claimed.mentor_status)
    won = present_request(claimed.request, request_id)
    if won.student_id == actor_id:
        raise NotAllowed("You cannot claim your own request.")
    # as it was before this write: the checks and the notices are about that
    request = replace(won, status=RequestStatus.OPEN, claimed_by=None, claimed_at=None)
    check_may_claim_in(request, claimed.student_zone, actor_id, now)
    _after_claim(uow, ctx, request, actor_id, actor_id)
    return won, True


def _explain_lost_claim(
    current: MentorshipRequest, actor_id: int, claimer_name: str | None
) -> MentorshipRequest:
    if current.status in (RequestStatus.CLAIMED, RequestStatus.SCHEDULED):
        if current.claimed_by == actor_id:
            return current  # my own second press: nothing more to do
        raise AlreadyClaimed(claimer_name)
    check_request_transition(current.status, RequestStatus.CLAIMED)
    raise AlreadyClaimed(None)


def _after_claim(
    uow: UnitOfWork, ctx: ServiceContext, request: MentorshipRequest, mentor_id: int, actor_id: int
) -> None:
    now = ctx.now()
    reason = None if mentor_id == actor_id else "assigned by an admin"
    # recorded with the request's revision that it makes, read by the same insert
    version = uow.events.add_counted(
        TransitionEvent(
            EntityKind.REQUEST,
            request.id,
            RequestStatus.OPEN,
            RequestStatus.CLAIMED,
            actor_id,
            now,
            reason,
        )
    )
    # The DMs to matching mentors that have not gone out yet never will: the relevance
    # check would skip them too, but a release makes the request open again, and by then
    # it has been announced afresh (a second DM of the same card would follow).
    uow.notifications.cancel_pending(
        request_id=request.id, kinds=[Kind.EXPIRY_WARNING, Kind.REQUEST_MATCHED]
    )
    key = f"r{request.id}:m{mentor_id}:v{version}"
    notices = [
        to_member(
            Kind.REQUEST_CLAIMED,
            request.student_id,
            now,
            key,
            request_id=request.id,
            mentor_id=mentor_id,
        )
    ]
    if mentor_id != actor_id:
        notices.append(to_member(Kind.REQUEST_ASSIGNED, mentor_id, now, key, request_id=request.id))
    notices.append(
        to_member(
            Kind.MENTOR_NUDGE,
            mentor_id,
            now + ctx.policy.nudge_unscheduled_after,
            key,
            request_id=request.id,
        )
    )
    # one round trip for all of them, while the claim holds the request's row
    notices.append(card_update_notice(request.id, now, f"claimed-m{mentor_id}", version))
    uow.notifications.add_many(notices)


NOT_YOURS_TO_RELEASE = "Only the mentor who claimed this request can release it."


def release_would_act(ctx: ServiceContext, actor_id: int, request_id: int) -> bool:
    """Whether ``release_request`` would release the request now (a reason is then worth
    asking for); refuses, as it would, anyone who may not or a request past claiming."""
    with ctx.uow_factory() as uow:
        actor = load_member(uow, actor_id)
        request = load_request(uow, request_id)
    if request.claimed_by != actor_id and not actor.is_admin:
        raise NotAllowed(NOT_YOURS_TO_RELEASE)
    check_request_transition(request.status, RequestStatus.OPEN)
    return True


def release_request(
    ctx: ServiceContext, actor_id: int, request_id: int, reason: str | None = None
) -> MentorshipRequest:
    """The claimer (or an admin) gives a request back to the queue before it has a time."""
    why = clean_reason(ctx, reason)
    now = ctx.now()
    with ctx.uow_factory() as uow:
        actor = load_member(uow, actor_id)
        request = load_request(uow, request_id)
        if request.claimed_by != actor_id and not actor.is_admin:
            raise NotAllowed(NOT_YOURS_TO_RELEASE)
        previous = request.claimed_by
        # A released request gets at least two more days in the queue.
        expires_at = max(request.expires_at, now + timedelta(days=2))
        if not uow.requests.transition(
            request_id,
            [RequestStatus.CLAIMED],
            RequestStatus.OPEN,
            now,
            if_claimed_by=request.claimed_by,
            claimed_by=None,
            claimed_at=None,
            expires_at=expires_at,
            **reservation_over(request, now),
        ):
            check_request_transition(load_request(uow, request_id).status, RequestStatus.OPEN)
        record(
            uow,
            EntityKind.REQUEST,
            request_id,
            RequestStatus.CLAIMED,
            RequestStatus.OPEN,
            actor_id,
            now,
            why or None,
        )
        request = load_request(uow, request_id)
        uow.notifications.add(
            to_member(
                Kind.REQUEST_RELEASED,
                request.student_id,
                now,
                f"r{request_id}:v{revision(uow, EntityKind.REQUEST, request_id)}",
                request_id=request_id,
                by=actor_id,
                reason=why or None,
            )
        )
        uow.notifications.cancel_pending(request_id=request_id, kinds=[Kind.MENTOR_NUDGE])
        card_update(uow, request_id, now, "released")
        # not DM'd about it as a match: the mentor who just gave it back
        skip = [previous] if previous is not None else []
        announce_request(uow, ctx, request, reason="released", skip=skip)
        uow.commit()
    return request


def assign_mentor(
    ctx: ServiceContext, actor_id: int, request_id: int, mentor_id: int
) -> MentorshipRequest:
    """An admin hands an open request to a chosen approved mentor."""
    return assign_mentor_once(ctx, actor_id, request_id, mentor_id).request


def assign_mentor_once(
    ctx: ServiceContext, actor_id: int, request_id: int, mentor_id: int
) -> Assignment:
    """``assign_mentor``, saying whether anyone was told: a repeated assign (the same
    mentor already has it) changes nothing and tells nobody again."""
    now = ctx.now()
    with ctx.uow_factory() as uow:
        require_admin(uow, actor_id)
        request = load_request(uow, request_id)
        require_mentor_to_assign(uow, mentor_id)
        if request.student_id == mentor_id:
            raise NotAllowed("A student cannot be their own mentor.")
        check_may_claim(uow, request, mentor_id, now, by_admin=True)
        claimed = uow.requests.claim_open(request_id, mentor_id, now)
        if claimed is None:
            sight = uow.requests.claim_sight(request_id, mentor_id)
            current = present_request(sight.request, request_id)
            _explain_lost_claim(current, mentor_id, sight.claimer_name)
            return Assignment(current, told=False)
        _after_claim(uow, ctx, request, mentor_id, actor_id)
        uow.commit()
        return Assignment(present_request(claimed.request, request_id), told=True)


@dataclass(frozen=True)
class Assignment:
    request: MentorshipRequest
    told: bool  # False: it was already this mentor's; nobody was told again


def require_mentor_to_assign(uow: UnitOfWork, mentor_id: int) -> MentorProfile:
    """The mentor an admin names, described as the admin needs it (not "become a
    mentor", which is advice for the one acting)."""
    profile = uow.mentors.get(mentor_id)
    if profile is not None and profile.is_approved:
        return profile
    member = uow.members.get(mentor_id)
    if member is None:
        raise NotFound(no_such("mentor", mentor_id))
    raise NotAllowed(f"{member.display_name} is not an approved mentor.")


def my_claims(ctx: ServiceContext, actor_id: int) -> list[MentorshipRequest]:
    with ctx.uow_factory() as uow:
        return sorted(uow.requests.claimed_by(actor_id), key=lambda r: r.updated_at, reverse=True)
