"""Whether a request of a type would be within the student's limits: a read-only look.

Submitting checks the limits under the student's lock (``submit_request``), which is
what makes them hold. This look lets a form refuse as soon as the session type is
chosen, before a dozen answers are typed for a request that could never be sent.
"""

from __future__ import annotations

from core.errors import ValidationFailed
from core.limits import check_can_submit
from core.services.context import ServiceContext


def check_request_limit(
    ctx: ServiceContext, actor_id: int, session_type: str, editing: int | None = None
) -> None:
    """Raise LimitReached when one more request of ``session_type`` would break a limit
    now; ``editing`` is a request being edited, which does not count against itself."""
    if ctx.catalogue.get(session_type) is None:
        raise ValidationFailed({"session_type": "Please pick one of the listed options."})
    # one read: the member is not looked up first (an unknown id counts nothing here,
    # and submitting refuses it); this runs on every pick of a type (issue 14)
    with ctx.uow_factory() as uow:
        counted = [r for r in uow.requests.counted_for_student(actor_id) if r.id != editing]
    check_can_submit(ctx.catalogue, ctx.policy, session_type, counted)
