"""Mentor profiles and weekly availability (the seed's ``mini_mentorship_availability``)."""

from __future__ import annotations

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
