"""A request's history: every transition of it and of its session, with who and why.

Visible to the request's student, its mentor and admins (the product's rule); anyone
else is refused as if it did not exist, so ids cannot be probed. A withdrawn or hidden
request has left its people's lists, but admins can still read its history.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import NotFound
from core.events import EntityKind, TransitionEvent
from core.services.common import load_request
from core.services.context import ServiceContext, load_member


@dataclass(frozen=True)
class History:
    request_id: int
    title: str
    events: tuple[TransitionEvent, ...]  # oldest first, the session's merged in by time
    names: dict[int, str]


def request_history(ctx: ServiceContext, actor_id: int, request_id: int) -> History:
    with ctx.uow_factory() as uow:
        actor = load_member(uow, actor_id)
        # withdrawn or hidden ones stay readable by admins (nothing is ever deleted)
        found = uow.requests.get(request_id)
        request = found if found is not None and actor.is_admin else load_request(uow, request_id)
        session = uow.sessions.for_request(request_id)
        involved = {request.student_id, request.claimed_by}
        if session is not None:
            involved.add(session.mentor_id)
        if actor_id not in involved and not actor.is_admin:
            raise NotFound("That request no longer exists.")
        events = list(uow.events.for_entity(EntityKind.REQUEST, request_id))
        if session is not None and session.id is not None:
            events += uow.events.for_entity(EntityKind.SESSION, session.id)
        events.sort(key=lambda e: (e.at, e.id or 0))
        actors = {e.actor_id for e in events if e.actor_id is not None}
        names = {i: m.display_name for i, m in uow.members.get_many(actors).items()}
        return History(request_id, request.title, tuple(events), names)
