"""Becoming a mentor, being approved, and saying when you are free."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from core.errors import NotAllowed, NotFound, ValidationFailed
from core.events import EntityKind
from core.hints import Hint
from core.mentors import AvailabilityWindow, MentorProfile, MentorStatus
from core.notifications import Audience, Kind, to_audience, to_member
from core.ports import record
from core.services.common import no_such, revision
from core.services.context import (
    ServiceContext,
    load_member,
    require_admin,
    require_approved_mentor,
)
from core.validation import clean_tags, clean_text, validate_one


def apply_as_mentor(
    ctx: ServiceContext,
    actor_id: int,
    *,
    domain: str,
    years_experience: int,
    bio: str,
    expertise_tags: list[str],
    meeting_link: str | None = None,
) -> MentorProfile:
    """Create or resubmit a mentor profile; it waits for an admin's approval."""
    policy = ctx.policy
    profile = MentorProfile(
        member_id=actor_id,
        domain=validate_one("domain", lambda: clean_text(domain, "Domain", policy.domain_max)),
        years_experience=check_years(years_experience),
        bio=validate_one("bio", lambda: clean_text(bio, "Bio", policy.bio_max, multiline=True)),
        expertise_tags=list(validate_one_tags(expertise_tags, ctx)),
        meeting_link=_check_link(meeting_link),
    )
    now = ctx.now()
    with ctx.uow_factory() as uow:
        load_member(uow, actor_id)
        existing = uow.mentors.get(actor_id)
        if existing is not None and existing.status == MentorStatus.APPROVED:
            profile.status = MentorStatus.APPROVED
            profile.approved_by, profile.approved_at = existing.approved_by, existing.approved_at
            uow.mentors.update(profile, now)
        elif existing is not None:
            uow.mentors.update(profile, now)
            record(uow, EntityKind.MENTOR, actor_id, existing.status, "PENDING", actor_id, now)
        else:
            uow.mentors.add(profile, now)
            record(uow, EntityKind.MENTOR, actor_id, None, "PENDING", actor_id, now)
        if profile.status == MentorStatus.PENDING:
            uow.notifications.add(
                to_audience(
                    Kind.MENTOR_APPLIED,
                    Audience.ADMINS,
                    now,
                    f"m{actor_id}:v{revision(uow, EntityKind.MENTOR, actor_id)}",
                    mentor_id=actor_id,
                )
            )
        uow.commit()
    return profile


def decide_mentor(
    ctx: ServiceContext, actor_id: int, mentor_id: int, approve: bool
) -> MentorProfile:
    """An admin approves or rejects; approving twice is harmless."""
    return decide_mentor_once(ctx, actor_id, mentor_id, approve).profile


@dataclass(frozen=True)
class Decision:
    profile: MentorProfile
    told: bool  # False: it was already so; nobody was told again


def decide_mentor_once(
    ctx: ServiceContext, actor_id: int, mentor_id: int, approve: bool
) -> Decision:
    """``decide_mentor``, saying whether the mentor was told (not on a repeat)."""
    now = ctx.now()
    with ctx.uow_factory() as uow:
        require_admin(uow, actor_id)
        profile = uow.mentors.get(mentor_id)
        if profile is None:
            member = uow.members.get(mentor_id)
            if member is None:
                raise NotFound(no_such("mentor", mentor_id))
            raise NotFound(f"{member.display_name} has not applied as a mentor.")
        target = MentorStatus.APPROVED if approve else MentorStatus.REJECTED
        if profile.status == target:
            return Decision(profile, told=False)
        previous = profile.status
        profile.status = target
        profile.approved_by = actor_id if approve else None
        profile.approved_at = now if approve else None
        uow.mentors.update(profile, now)
        record(uow, EntityKind.MENTOR, mentor_id, previous, target, actor_id, now)
        kind = Kind.MENTOR_APPROVED if approve else Kind.MENTOR_REJECTED
        key = f"v{revision(uow, EntityKind.MENTOR, mentor_id)}"
        uow.notifications.add(to_member(kind, mentor_id, now, key))
        uow.commit()
    return Decision(profile, told=True)


@dataclass(frozen=True)
class MentorSummary:
    member_id: int
    name: str
    timezone: str
    profile: MentorProfile
    average_rating: float | None
    ratings: int


def list_mentors(ctx: ServiceContext) -> list[MentorSummary]:
    """Approved mentors with their average rating, best rated first."""
    with ctx.uow_factory() as uow:
        profiles = uow.mentors.list_profiles(MentorStatus.APPROVED)
        members = uow.members.get_many([p.member_id for p in profiles])
        ratings = uow.sessions.ratings_by_mentor()
    summaries = [
        MentorSummary(
            p.member_id,
            members[p.member_id].display_name,
            members[p.member_id].timezone,
            p,
            *ratings.get(p.member_id, (None, 0)),
        )
        for p in profiles
        if p.member_id in members
    ]
    return sorted(summaries, key=lambda s: (-(s.average_rating or 0), s.name.lower()))


def pending_mentors(ctx: ServiceContext, actor_id: int) -> list[tuple[str, MentorProfile]]:
    with ctx.uow_factory() as uow:
        require_admin(uow, actor_id)
        profiles = uow.mentors.list_profiles(MentorStatus.PENDING)
        members = uow.members.get_many([p.member_id for p in profiles])
    return [(members[p.member_id].display_name, p) for p in profiles if p.member_id in members]


def add_availability(
    ctx: ServiceContext, actor_id: int, weekday: int, start: time, end: time
) -> AvailabilityWindow:
    if not 0 <= weekday <= 6:
        raise ValidationFailed({"weekday": "Pick a day from Monday to Sunday."})
    if start >= end:
        raise ValidationFailed({"end": "The window must end after it starts (same day)."})
    with ctx.uow_factory() as uow:
        profile = uow.mentors.get(actor_id)
        if profile is None:
            raise NotAllowed("Only mentors can set availability.", Hint.BECOME_MENTOR)
        existing = uow.mentors.windows(actor_id)
        for window in existing:
            if window.weekday == weekday and window.start < end and start < window.end:
                raise ValidationFailed({"start": f"That overlaps your window {window.describe()}."})
        if len(existing) >= 50:
            raise ValidationFailed({"weekday": "You already have 50 windows; remove some first."})
        created = uow.mentors.add_window(actor_id, AvailabilityWindow(weekday, start, end))
        uow.commit()
    return created


def remove_availability(ctx: ServiceContext, actor_id: int, window_id: int) -> None:
    with ctx.uow_factory() as uow:
        if not uow.mentors.remove_window(actor_id, window_id):
            raise NotFound("That availability window no longer exists.")
        uow.commit()


def my_availability(ctx: ServiceContext, actor_id: int) -> list[AvailabilityWindow]:
    with ctx.uow_factory() as uow:
        return sorted(uow.mentors.windows(actor_id), key=lambda w: (w.weekday, w.start))


def set_meeting_link(ctx: ServiceContext, actor_id: int, link: str | None) -> MentorProfile:
    with ctx.uow_factory() as uow:
        profile = require_approved_mentor(uow, actor_id)
        profile.meeting_link = _check_link(link)
        uow.mentors.update(profile, ctx.now())
        uow.commit()
    return profile


def validate_one_tags(tags: list[str], ctx: ServiceContext) -> tuple[str, ...]:
    try:
        return clean_tags(tags, ctx.policy)
    except ValueError as exc:
        raise ValidationFailed({"expertise_tags": str(exc)}) from exc


def check_years(years: int) -> int:
    if not isinstance(years, int) or not 0 <= years <= 80:
        raise ValidationFailed({"years_experience": "Years of experience must be 0 to 80."})
    return years


def _check_link(link: str | None) -> str | None:
    if link is None or not link.strip():
        return None
    cleaned = validate_one("meeting_link", lambda: clean_text(link, "Meeting link", 500))
    if not cleaned.startswith("https://") or any(c.isspace() for c in cleaned):
        raise ValidationFailed({"meeting_link": "The meeting link must start with https://"})
    return cleaned
