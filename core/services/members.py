"""Registering people and their preferences."""

from __future__ import annotations

from dataclasses import replace

from core.delivery.comeback import UNREACHABLE_REASONS
from core.errors import ValidationFailed
from core.members import AdminSource, Identity, Member
from core.ports import UnitOfWork
from core.services.context import ServiceContext, load_member
from core.validation import check_timezone, clean_text, validate_one


def register_member(
    ctx: ServiceContext,
    identity: Identity,
    display_name: str,
    timezone: str | None = None,
    *,
    admin: bool = False,
) -> tuple[Member, bool]:
    """Find or create the member behind a platform account; True when newly created.

    Idempotent, so a repeated /start (or two arriving at once) yields one member.
    ``admin`` comes from the operator's configuration (``MENTORBOT_ADMINS``), never from
    the chat, and promotes the member if they are not an admin yet.
    """
    name, zone = _valid_profile(ctx, display_name, timezone)
    with ctx.uow_factory() as uow:
        member = uow.members.find_by_identity(identity)
        created = member is None
        if member is None:
            member = uow.members.add(name, zone, identity, ctx.now())
        _promote(uow, ctx, member, admin)
        uow.commit()
    return member, created


def find_or_register(
    ctx: ServiceContext,
    identity: Identity,
    display_name: str,
    *,
    admin: bool = False,
) -> tuple[Member, bool]:
    """The member behind a platform account as found, or registered if there is none:
    a front-end's lookup on someone it has not seen lately (first contact was two
    transactions, a find and then a registration that found again; issue 14). Unlike
    ``register_member``, someone found is returned as they are: ``admin`` promotes only
    the newly registered, as that lookup did. True when newly created."""
    with ctx.uow_factory() as uow:
        member = uow.members.find_by_identity(identity)
        if member is not None:
            return member, False
        name, zone = _valid_profile(ctx, display_name, None)
        member = uow.members.add(name, zone, identity, ctx.now())
        _promote(uow, ctx, member, admin)
        uow.commit()
    return member, True


def _promote(uow: UnitOfWork, ctx: ServiceContext, member: Member, admin: bool) -> None:
    """An admin by the operator's configuration who is not one yet becomes one."""
    if admin and not member.is_admin:
        member.is_admin, member.admin_source = True, AdminSource.SETTINGS
        uow.members.update(member, ctx.now())


def _valid_profile(ctx: ServiceContext, display_name: str, timezone: str | None) -> tuple[str, str]:
    name = validate_one(
        "display_name",
        lambda: clean_text(display_name, "Your name", ctx.policy.display_name_max),
    )
    return name, validate_one("timezone", lambda: check_timezone(timezone or "UTC"))


def link_identity(ctx: ServiceContext, member_id: int, identity: Identity) -> Member:
    """Attach another platform account, so one person is one member across platforms."""
    with ctx.uow_factory() as uow:
        member = load_member(uow, member_id)
        owner = uow.members.find_by_identity(identity)
        if owner is not None and owner.id != member_id:
            raise ValidationFailed({"identity": "That account already belongs to someone else."})
        if owner is None:
            uow.members.add_identity(member_id, identity)
            member.identities.append(identity)
        uow.commit()
    return member


def note_contact(ctx: ServiceContext, member: Member, identity: Identity) -> None:
    """Someone who had blocked the bot wrote again: deliver to this account once more,
    and give them, once, the notices skipped meanwhile that are still relevant (put back
    to PENDING; the delivery engine re-checks each: core.delivery.comeback)."""
    known = next((i for i in member.identities if i == identity), None)
    if known is None or not known.unreachable:
        return
    with ctx.uow_factory() as uow:
        uow.members.mark_reachable(identity)
        uow.notifications.requeue_skipped(member.id, UNREACHABLE_REASONS, ctx.now())
        uow.commit()
    member.identities = [
        replace(i, unreachable=False) if i == identity else i for i in member.identities
    ]


def set_timezone(ctx: ServiceContext, member_id: int, timezone: str) -> Member:
    zone = validate_one("timezone", lambda: check_timezone(timezone))
    with ctx.uow_factory() as uow:
        member = load_member(uow, member_id)
        member.timezone = zone
        uow.members.update(member, ctx.now())
        uow.commit()
    return member


def find_member(ctx: ServiceContext, identity: Identity) -> Member | None:
    with ctx.uow_factory() as uow:
        return uow.members.find_by_identity(identity)


def get_member(ctx: ServiceContext, member_id: int) -> Member:
    with ctx.uow_factory() as uow:
        return load_member(uow, member_id)
