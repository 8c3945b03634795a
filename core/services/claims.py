"""A mentor's side of a request before it has a time: the queue, claim, release, assign."""

from __future__ import annotations

from datetime import timedelta

from core.errors import AlreadyClaimed, NotAllowed
from core.events import EntityKind
from core.lifecycle import RequestStatus, check_request_transition
from core.mentors import shared_tags
from core.notifications import Kind, to_member
from core.ports import UnitOfWork, record
from core.requests import MentorshipRequest, Urgency
from core.services.common import card_update, clean_reason, load_request, revision
from core.services.context import (
    ServiceContext,
    load_member,
    require_admin,
    require_approved_mentor,
)
from core.services.requests import announce_request

_URGENCY_ORDER = {Urgency.HIGH: 0, Urgency.NORMAL: 1, Urgency.LOW: 2}


def open_requests_for_mentor(ctx: ServiceContext, actor_id: int) -> list[MentorshipRequest]:
    """The queue: requests naming me first, then those matching my tags, then by urgency."""
    with ctx.uow_factory() as uow:
        profile = require_approved_mentor(uow, actor_id)
        requests = [r for r in uow.requests.open_requests() if r.student_id != actor_id]

    def rank(r: MentorshipRequest) -> tuple[int, int, int, float]:
        return (
            0 if r.preferred_mentor_id == actor_id else 1,
            -len(shared_tags(profile.expertise_tags, r.tags)),
            _URGENCY_ORDER[r.urgency],
            r.created_at.timestamp(),
        )

    return sorted(requests, key=rank)


def claim_request(ctx: ServiceContext, actor_id: int, request_id: int) -> MentorshipRequest:
    """Exactly one mentor wins: the status moves only if it is still OPEN when we write."""
    now = ctx.now()
    with ctx.uow_factory() as uow:
        require_approved_mentor(uow, actor_id)
        request = load_request(uow, request_id)
        if request.student_id == actor_id:
            raise NotAllowed("You cannot claim your own request.")
        moved = uow.requests.transition(
            request_id,
            [RequestStatus.OPEN],
            RequestStatus.CLAIMED,
            now,
            claimed_by=actor_id,
            claimed_at=now,
        )
        if not moved:
            return _explain_lost_claim(uow, request_id, actor_id)
        _after_claim(uow, ctx, request, actor_id, actor_id)
        claimed = load_request(uow, request_id)  # read before the commit: one transaction
        uow.commit()
        return claimed


def _explain_lost_claim(uow: UnitOfWork, request_id: int, actor_id: int) -> MentorshipRequest:
    current = load_request(uow, request_id)
    if current.status in (RequestStatus.CLAIMED, RequestStatus.SCHEDULED):
        if current.claimed_by == actor_id:
            return current  # my own second press: nothing more to do
        claimer = uow.members.get(current.claimed_by) if current.claimed_by else None
        raise AlreadyClaimed(claimer.display_name if claimer else None)
    check_request_transition(current.status, RequestStatus.CLAIMED)
    raise AlreadyClaimed(None)


def _after_claim(
    uow: UnitOfWork, ctx: ServiceContext, request: MentorshipRequest, mentor_id: int, actor_id: int
) -> None:
    now = ctx.now()
    reason = None if mentor_id == actor_id else "assigned by an admin"
    record(
        uow,
        EntityKind.REQUEST,
        request.id,
        RequestStatus.OPEN,
        RequestStatus.CLAIMED,
        actor_id,
        now,
        reason,
    )
    # The DMs to matching mentors that have not gone out yet never will: the relevance
    # check would skip them too, but a release makes the request open again, and by then
    # it has been announced afresh (a second DM of the same card would follow).
    uow.notifications.cancel_pending(
        request_id=request.id, kinds=[Kind.EXPIRY_WARNING, Kind.REQUEST_MATCHED]
    )
    key = f"r{request.id}:m{mentor_id}:v{revision(uow, EntityKind.REQUEST, request.id)}"
    uow.notifications.add(
        to_member(
            Kind.REQUEST_CLAIMED,
            request.student_id,
            now,
            key,
            request_id=request.id,
            mentor_id=mentor_id,
        )
    )
    if mentor_id != actor_id:
        uow.notifications.add(
            to_member(Kind.REQUEST_ASSIGNED, mentor_id, now, key, request_id=request.id)
        )
    uow.notifications.add(
        to_member(
            Kind.MENTOR_NUDGE,
            mentor_id,
            now + ctx.policy.nudge_unscheduled_after,
            key,
            request_id=request.id,
        )
    )
    card_update(uow, request.id, now, f"claimed-m{mentor_id}")


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
    now = ctx.now()
    with ctx.uow_factory() as uow:
        require_admin(uow, actor_id)
        require_approved_mentor(uow, mentor_id)
        request = load_request(uow, request_id)
        if request.student_id == mentor_id:
            raise NotAllowed("A student cannot be their own mentor.")
        if not uow.requests.transition(
            request_id,
            [RequestStatus.OPEN],
            RequestStatus.CLAIMED,
            now,
            claimed_by=mentor_id,
            claimed_at=now,
        ):
            _explain_lost_claim(uow, request_id, mentor_id)
            return load_request(uow, request_id)
        _after_claim(uow, ctx, request, mentor_id, actor_id)
        result = load_request(uow, request_id)
        uow.commit()
        return result


def my_claims(ctx: ServiceContext, actor_id: int) -> list[MentorshipRequest]:
    with ctx.uow_factory() as uow:
        return sorted(uow.requests.claimed_by(actor_id), key=lambda r: r.updated_at, reverse=True)
