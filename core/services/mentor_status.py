"""Where one stands as a mentor: never applied, waiting, approved, rejected.

A read of one's own profile only; it decides what a front-end offers (a "Become a
mentor" button is pointless to someone approved or already waiting), never what is
allowed: every action checks the profile again.
"""

from __future__ import annotations

from core.mentors import MentorStatus
from core.services.context import ServiceContext


def mentor_status(ctx: ServiceContext, actor_id: int) -> MentorStatus | None:
    """The status of ``actor_id``'s own mentor profile; None when they never applied."""
    with ctx.uow_factory() as uow:
        profile = uow.mentors.get(actor_id)
    return profile.status if profile is not None else None
