"""The times to offer one person for a request, with whom they would meet.

A slot is shown in both people's zones (``Tue 3 Mar 09:00 · Alice 00:00``), so the one
choosing sees at once what the time means for the other side; this service says who
the other side is and where they live, beside the slots themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.services.common import load_request
from core.services.context import ServiceContext, load_members
from core.services.sessions import slots_in


@dataclass(frozen=True)
class SlotOffer:
    starts: list[datetime]  # UTC, sorted
    other_name: str  # the person on the other side of the session
    other_zone: str


def offer_slots(ctx: ServiceContext, actor_id: int, request_id: int) -> SlotOffer:
    """The slots ``available_slots`` allows (and refuses whom it refuses), and the other
    person: the student for the mentor, the mentor for the student."""
    with ctx.uow_factory() as uow:  # one transaction: the slots and whom they are with
        request = load_request(uow, request_id)
        mentor_id = request.claimed_by if request.claimed_by is not None else actor_id
        people = load_members(uow, mentor_id, request.student_id)
        starts = slots_in(uow, ctx, actor_id, request, people=people)
        other = people[request.student_id if actor_id == mentor_id else mentor_id]
    return SlotOffer(starts, other.display_name, other.timezone)
