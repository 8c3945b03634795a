"""Is the mentors' feed known to be failing? What the student's confirmation needs.

"Mentors have been told" was said before anything was sent, even while the mentors'
channel refused every card (issue 12). The feed is known to be failing while a card
waits for a retry because the channel or group refused the bot
(``core.delivery.feed_health``); a read-only query of the outbox, no extra state.
"""

from __future__ import annotations

from core.delivery.feed_health import FEED_PROBLEM, problem_reason
from core.services.context import ServiceContext


def mentors_feed_problem(ctx: ServiceContext) -> str | None:
    """The reason the mentors' feed refuses cards right now, or None if none is known."""
    with ctx.uow_factory() as uow:
        return problem_reason(uow.notifications.feed_problem(FEED_PROBLEM))
