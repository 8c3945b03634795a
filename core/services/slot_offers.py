"""The times to offer one person for a request, with whom they would meet.

A slot is shown in both people's zones (``Tue 3 Mar 09:00 · Alice 00:00``), so the one
choosing sees at once what the time means for the other side; this service says who
the other side is and where they live, beside the slots themselves.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from core.errors import DomainError
from core.ports import UnitOfWork
from core.requests import MentorshipRequest
from core.services.claims import claim_in, claim_request
from core.services.common import load_request
from core.services.context import ServiceContext, load_members
from core.services.sessions import slots_in

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SlotOffer:
    starts: list[datetime]  # UTC, sorted
    other_name: str  # the person on the other side of the session
    other_zone: str


def offer_slots(ctx: ServiceContext, actor_id: int, request_id: int) -> SlotOffer:
    """The slots ``available_slots`` allows (and refuses whom it refuses), and the other
    person: the student for the mentor, the mentor for the student."""
    with ctx.uow_factory() as uow:  # one transaction: the slots and whom they are with
        return _offer_in(uow, ctx, actor_id, load_request(uow, request_id))


def _offer_in(
    uow: UnitOfWork, ctx: ServiceContext, actor_id: int, request: MentorshipRequest
) -> SlotOffer:
    mentor_id = request.claimed_by if request.claimed_by is not None else actor_id
    people = load_members(uow, mentor_id, request.student_id)
    starts = slots_in(uow, ctx, actor_id, request, people=people)
    other = people[request.student_id if actor_id == mentor_id else mentor_id]
    return SlotOffer(starts, other.display_name, other.timezone)


@dataclass(frozen=True)
class Claimed:
    request: MentorshipRequest  # as it is now
    offer: SlotOffer | None  # its times, when this call claimed it and they could be listed


def claim_with_offer(ctx: ServiceContext, actor_id: int, request_id: int) -> Claimed:
    """``claim_request``, and for a claim this call made, the times to offer: one
    transaction where a claim and then its offer were two (issue 14: the claim was the
    slowest step of a mentor's turn).

    The claim stands whether or not its times can be listed, as before: a refusal while
    listing them (none left, say) leaves ``offer`` None, and any other fault there
    (the database, a bug) undoes this transaction and the claim is made again alone,
    which then succeeds or fails on its own, exactly as ``claim_request``."""
    try:
        with ctx.uow_factory() as uow:
            request, won = claim_in(uow, ctx, actor_id, request_id)
            if not won:
                return Claimed(request, None)
            offer: SlotOffer | None
            try:
                offer = _offer_in(uow, ctx, actor_id, request)
            except DomainError:
                offer = None
            uow.commit()
        return Claimed(request, offer)
    except DomainError:
        raise  # the claim's own refusal (taken, not a mentor, ...): as claim_request's
    except Exception:
        logger.warning("claimed #%s with its times failed; claiming alone", request_id)
        return Claimed(claim_request(ctx, actor_id, request_id), None)
