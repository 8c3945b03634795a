"""A request addressed to one mentor: the chosen mentor declines, or their time runs out.

Either way the request leaves its reservation (``core.directed``): it opens to every
mentor if the student agreed to that in the form, and is closed (EXPIRED, with the
repost offer) if not; the student is told which. The student's row lock serialises a
decline with the sweep, so a request is opened or closed once, with one event.
"""

from __future__ import annotations

from typing import Any

from core.errors import InvalidTransition, NotAllowed
from core.events import EntityKind
from core.lifecycle import RequestStatus
from core.notifications import Kind, to_member
from core.ports import UnitOfWork, record
from core.requests import MentorshipRequest
from core.services.common import card_update, clean_reason, load_request, revision
from core.services.context import ServiceContext
from core.services.requests import announce_request

NOT_YOURS_TO_DECLINE = "Only the mentor this request was addressed to can decline it."
TIME_UP = "the chosen mentor did not take it in time"


def _check_decline(request: MentorshipRequest, actor_id: int) -> None:
    if request.preferred_mentor_id != actor_id:
        raise NotAllowed(NOT_YOURS_TO_DECLINE)
    if request.status != RequestStatus.OPEN:
        state = request.status.value.lower().replace("_", "-")
        raise InvalidTransition(f"That is no longer possible: the request is {state}.")
    if not request.reserved:
        raise InvalidTransition("It is already open to every mentor; nothing to decline.")


def decline_would_act(ctx: ServiceContext, actor_id: int, request_id: int) -> bool:
    """Whether ``decline_request`` would act now (so a reason is worth asking for);
    refuses, as it would, anyone but the chosen mentor and a request past declining."""
    with ctx.uow_factory() as uow:
        _check_decline(load_request(uow, request_id), actor_id)
    return True


def decline_request(
    ctx: ServiceContext, actor_id: int, request_id: int, reason: str | None = None
) -> MentorshipRequest:
    """The chosen mentor cannot take it: opened to every mentor at once, or closed."""
    why = clean_reason(ctx, reason) or None
    with ctx.uow_factory() as uow:
        request = load_request(uow, request_id)
        uow.members.lock(request.student_id)
        request = load_request(uow, request_id)  # as it is now that nobody else moves it
        _check_decline(request, actor_id)
        end_reservation(uow, ctx, request, actor_id, why)
        result = load_request(uow, request_id)
        uow.commit()
        return result


def open_or_close_reserved(ctx: ServiceContext, batch_size: int = 200) -> list[int]:
    """The sweep: requests whose chosen mentor's time is up open to all, or close."""
    done: list[int] = []
    with ctx.uow_factory() as uow:
        for due in uow.requests.reserved_ended(ctx.now(), batch_size):
            uow.members.lock(due.student_id)
            request = uow.requests.get(due.id)
            if request is None or request.status != RequestStatus.OPEN or not request.reserved:
                continue  # declined or claimed meanwhile
            end_reservation(uow, ctx, request, None, None)
            done.append(request.id)
        uow.commit()
    return done


def end_reservation(
    uow: UnitOfWork,
    ctx: ServiceContext,
    request: MentorshipRequest,
    decliner: int | None,
    why: str | None,
) -> None:
    """Open (the student agreed) or close the reserved ``request``, record who and why,
    and tell the student. ``decliner``: the chosen mentor, or None when time ran out."""
    now = ctx.now()
    target = RequestStatus.OPEN if request.open_to_others else RequestStatus.EXPIRED
    # opened: no longer reserved; closed: it stays as it was, never shown to every mentor
    change = {"exclusive_until": None} if request.open_to_others else {}
    uow.requests.transition(request.id, [RequestStatus.OPEN], target, now, **change)
    if decliner is None:
        event_reason = TIME_UP
    else:
        event_reason = f"declined: {why}" if why else "declined by the chosen mentor"
    record(
        uow, EntityKind.REQUEST, request.id, RequestStatus.OPEN, target, decliner, now, event_reason
    )
    key = f"r{request.id}:v{revision(uow, EntityKind.REQUEST, request.id)}"
    payload: dict[str, Any] = {"opened": request.open_to_others, "by": decliner, "reason": why}
    kind = Kind.REQUEST_DECLINED if decliner is not None else Kind.REQUEST_OPENED
    if decliner is None and not request.open_to_others:
        kind, payload = Kind.REQUEST_EXPIRED, {"why": "chosen_mentor_time"}
    uow.notifications.add(
        to_member(kind, request.student_id, now, key, request_id=request.id, **payload)
    )
    card_update(uow, request.id, now, "opened" if request.open_to_others else "closed")
    if request.open_to_others:
        opened = load_request(uow, request.id)
        skip = [request.preferred_mentor_id] if request.preferred_mentor_id else []
        announce_request(uow, ctx, opened, reason="opened", skip=skip)
    else:
        uow.notifications.cancel_pending(request_id=request.id, kinds=[Kind.EXPIRY_WARNING])
