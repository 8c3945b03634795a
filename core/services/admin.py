"""Admin-only views and operator actions."""

from __future__ import annotations

from core.errors import NotFound
from core.members import AdminSource, Member
from core.requests import MentorshipRequest
from core.services.context import ServiceContext, load_member, require_admin
from core.sessions import MentorshipSession
from core.stats import Stats, compute_stats


def admin_stats(ctx: ServiceContext, actor_id: int) -> Stats:
    with ctx.uow_factory() as uow:
        require_admin(uow, actor_id)
        return compute_stats(uow.requests.all(), uow.sessions.all())


def export_rows(
    ctx: ServiceContext, actor_id: int | None
) -> tuple[list[MentorshipRequest], list[MentorshipSession]]:
    """Everything, mentor notes included: only for admins (``None`` = the operator's CLI)."""
    with ctx.uow_factory() as uow:
        if actor_id is not None:
            require_admin(uow, actor_id)
        return uow.requests.all(), uow.sessions.all()


def grant_admin(ctx: ServiceContext, actor_id: int | None, member_id: int) -> Member:
    """Make someone an admin: by another admin, or by the operator (``actor_id`` None)."""
    with ctx.uow_factory() as uow:
        if actor_id is not None:
            require_admin(uow, actor_id)
        member = uow.members.get(member_id)
        if member is None:
            raise NotFound("No such member.")
        # a promotion in the product: kept when MENTORBOT_ADMINS no longer lists them
        member.is_admin, member.admin_source = True, AdminSource.PRODUCT
        uow.members.update(member, ctx.now())
        uow.commit()
    return member


def get_members(ctx: ServiceContext, member_ids: list[int]) -> dict[int, Member]:
    with ctx.uow_factory() as uow:
        return uow.members.get_many(member_ids)


__all__ = ["admin_stats", "export_rows", "get_members", "grant_admin", "load_member"]
