"""What every service needs from the outside, wired once by the composition root."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NoReturn

from core.catalogue import Catalogue
from core.clock import Clock
from core.errors import NotAllowed, NotFound
from core.hints import Hint
from core.members import Member
from core.mentors import MentorProfile, MentorStatus
from core.policy import Policy
from core.ports import UnitOfWork
from core.timefmt import zone_or_utc


def random_token() -> str:
    return secrets.token_urlsafe(9).replace("_", "x").replace("-", "y")


@dataclass
class ServiceContext:
    uow_factory: Callable[[], UnitOfWork]
    clock: Clock
    catalogue: Catalogue
    policy: Policy = field(default_factory=Policy)
    token_factory: Callable[[], str] = random_token

    def now(self) -> datetime:
        return self.clock.now()

    def new_meeting_link(self) -> str:
        return self.policy.meeting_link_template.format(token=self.token_factory())


def local_today(member: Member, now: datetime) -> date:
    """The member's own calendar date: 'not in the past' means in *their* zone."""
    return now.astimezone(zone_or_utc(member.timezone)).date()


def load_member(uow: UnitOfWork, member_id: int, *, lock: bool = False) -> Member:
    """``lock``: held until commit as well (``MemberRepository.lock``), read in the same
    round trip."""
    member = uow.members.get_locked(member_id) if lock else uow.members.get(member_id)
    if member is None:
        raise NotFound("I do not know you yet.", Hint.START)
    return member


def load_members(uow: UnitOfWork, *member_ids: int) -> dict[int, Member]:
    """Several members in one read; refused like ``load_member`` if one is unknown."""
    found = uow.members.get_many(set(member_ids))
    if any(member_id not in found for member_id in member_ids):
        raise NotFound("I do not know you yet.", Hint.START)
    return found


def require_admin(uow: UnitOfWork, member_id: int) -> Member:
    member = load_member(uow, member_id)
    if not member.is_admin:
        raise NotAllowed("Only admins can do that.")
    return member


def require_approved_mentor(uow: UnitOfWork, member_id: int) -> MentorProfile:
    profile = uow.mentors.get(member_id)
    if profile is None or not profile.is_approved:
        _refuse_unapproved(None if profile is None else profile.status)
    return profile


def require_approved(status: MentorStatus | None) -> None:
    """``require_approved_mentor`` for checks that read the mentor profile's status
    alone, with another statement (None: they have no profile)."""
    if status != MentorStatus.APPROVED:
        _refuse_unapproved(status)


def _refuse_unapproved(status: MentorStatus | None) -> NoReturn:
    if status is None:
        raise NotAllowed("Only mentors can do that.", Hint.BECOME_MENTOR)
    raise NotAllowed("Your mentor profile is not approved yet; an admin will review it.")
