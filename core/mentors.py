"""Mentor profiles and weekly availability (the seed's ``mini_mentorship_availability``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time
from enum import StrEnum


class MentorStatus(StrEnum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    SUSPENDED = "SUSPENDED"


WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass
class MentorProfile:
    member_id: int
    domain: str
    years_experience: int
    bio: str
    expertise_tags: list[str] = field(default_factory=list)
    status: MentorStatus = MentorStatus.PENDING
    meeting_link: str | None = None
    approved_by: int | None = None
    approved_at: datetime | None = None

    @property
    def is_approved(self) -> bool:
        return self.status == MentorStatus.APPROVED


def _tag_key(tag: str) -> str:
    """A tag as :func:`core.validation.clean_tags` stores it, so that tags written before
    that rule (or by hand, in the database) still compare equal: 'Python', '#python'."""
    return tag.strip().lower().lstrip("#").replace(" ", "-")


def shared_tags(expertise: Iterable[str], wanted: Iterable[str]) -> list[str]:
    """The request's tags (``wanted``, in its order) that a mentor's expertise covers,
    compared case-insensitively: what decides that a mentor hears of a request personally
    and what the queue ranks by."""
    known = {_tag_key(t) for t in expertise}
    return [t for t in dict.fromkeys(wanted) if _tag_key(t) in known]


@dataclass(frozen=True)
class AvailabilityWindow:
    """A weekly window in the mentor's own time zone, e.g. Tuesday 18:00-20:00.

    Wall-clock times, not instants: 18:00 in Berlin stays 18:00 across DST changes.
    """

    weekday: int
    start: time
    end: time
    id: int | None = None

    def describe(self) -> str:
        return f"{WEEKDAY_NAMES[self.weekday]} {self.start:%H:%M}-{self.end:%H:%M}"
