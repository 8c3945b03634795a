"""Is the mentors' feed known to be failing? What the student's confirmation needs.

"Mentors have been told" was said before anything was sent, even while the mentors'
channel refused every card (issue 12). The feed is known to be failing while a card
waits for a retry because the channel or group refused the bot
(``core.delivery.feed_health``); a read-only query of the outbox, no extra state.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.delivery.feed_health import FEED_PROBLEM, problem_reason
from core.requests import MentorshipRequest, RequestDraft
from core.services.context import ServiceContext
from core.services.requests import submit_in


@dataclass(frozen=True)
class Submitted:
    request: MentorshipRequest
    feed_failing: bool  # the mentors' feed was known to refuse cards as it was submitted


def submit_noting_feed(ctx: ServiceContext, actor_id: int, draft: RequestDraft) -> Submitted:
    """``submit_request``, and whether the mentors' feed is known to be failing, in one
    transaction where they were two (issue 14: a submission's confirmation cost a
    transaction of its own). The feed is read first, before anything is written."""
    with ctx.uow_factory() as uow:
        failing = problem_reason(uow.notifications.feed_problem(FEED_PROBLEM)) is not None
        request = submit_in(uow, ctx, actor_id, draft)
        uow.commit()
    return Submitted(request, failing)
