"""The operator's list of admins (``MENTORBOT_ADMINS``), applied at every start.

The setting is the truth for the admins it made: at start-up everyone it lists who
already exists becomes an admin, and an admin the setting made (``AdminSource.SETTINGS``)
who is no longer listed stops being one. An admin promoted in the product
(:func:`core.services.admin.grant_admin`) keeps that role whatever the setting says.
People the bot has not seen yet are promoted when they first arrive
(:func:`core.services.members.register_member` with ``admin=True``).

Several processes may start at once (bot, worker, a second replica): each member that
changes is locked (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's write lock) and
re-read before it is written, in ascending id order so two starts cannot deadlock, and
the outcome depends only on the setting, so applying it twice changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from core.members import AdminSource, Identity, Member, Platform
from core.services.context import ServiceContext

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AdminSettings:
    """The setting's entries, read: the identities it names and the entries it cannot use."""

    identities: frozenset[Identity]
    unusable: tuple[str, ...] = ()


@dataclass
class AdminChanges:
    promoted: list[int] = field(default_factory=list)
    demoted: list[int] = field(default_factory=list)


def parse_admins(entries: Iterable[str]) -> AdminSettings:
    """``telegram:12345``, ``slack:TEAM:USER``, ``console:name`` → identities.

    Slack user ids are per workspace, so a Slack entry names the team as the Slack
    front-end does (``slack:T0123:U0456``); console names are lower-case there.
    """
    found: set[Identity] = set()
    unusable: list[str] = []
    for entry in entries:
        platform, _, external = entry.strip().partition(":")
        external = external.strip()
        try:
            where = Platform(platform.strip().lower())
        except ValueError:
            where = None
        if where is Platform.CONSOLE:
            external = external.lower()
        usable = bool(external) and (where is not Platform.SLACK or external.count(":") == 1)
        if where is None or not usable:
            unusable.append(entry)
            continue
        found.add(Identity(where, external))
    return AdminSettings(frozenset(found), tuple(unusable))


def is_listed(identity: Identity, entries: Iterable[str]) -> bool:
    """Whether the setting names this account (as the adapters ask for a newcomer)."""
    return Identity(identity.platform, identity.external_id) in parse_admins(entries).identities


def apply_admin_settings(ctx: ServiceContext, entries: Iterable[str]) -> AdminChanges:
    """Make the stored admins agree with the setting; see the module docstring."""
    settings = parse_admins(entries)
    for entry in settings.unusable:
        logger.warning(
            "MENTORBOT_ADMINS entry %r is not platform:id (slack:TEAM:USER for Slack); "
            "it is ignored",
            entry,
        )
    changes = AdminChanges()
    with ctx.uow_factory() as uow:
        listed = {
            m.id for i in settings.identities if (m := uow.members.find_by_identity(i)) is not None
        }
        candidates = listed | {m.id for m in uow.members.admins()}
        for member_id in sorted(candidates):
            uow.members.lock(member_id)
            member = uow.members.get(member_id)  # re-read under the lock
            if member is not None and _follow_setting(member, member_id in listed):
                uow.members.update(member, ctx.now())
                (changes.promoted if member.is_admin else changes.demoted).append(member_id)
        uow.commit()
    if changes.promoted or changes.demoted:
        logger.info(
            "admins from settings: %d promoted, %d no longer admins",
            len(changes.promoted),
            len(changes.demoted),
        )
    return changes


def _follow_setting(member: Member, listed: bool) -> bool:
    """Change ``member`` to what the setting says; True if anything changed."""
    if listed and not member.is_admin:
        member.is_admin, member.admin_source = True, AdminSource.SETTINGS
        return True
    if not listed and member.is_admin and member.admin_source is AdminSource.SETTINGS:
        member.is_admin, member.admin_source = False, None
        return True
    return False
