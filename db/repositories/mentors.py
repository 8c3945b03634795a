"""Mentor profiles and their weekly availability windows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, select

from core.mentors import AvailabilityWindow, MentorProfile, MentorStatus
from core.ports import MentorRepository
from db.models import AvailabilityWindowRow, MentorProfileRow
from db.repositories.base import SqlRepository, table

PROFILES = table(MentorProfileRow)
WINDOWS = table(AvailabilityWindowRow)
# built once (issue 14): slots read the windows twice per booking
_BY_MEMBER = select(PROFILES).where(PROFILES.c.member_id == bindparam("member_id"))
_ALL_PROFILES = select(PROFILES).order_by(PROFILES.c.member_id)
_PROFILES_WITH_STATUS = _ALL_PROFILES.where(PROFILES.c.status == bindparam("status"))
_WINDOWS = (
    select(WINDOWS.c.weekday, WINDOWS.c.start_time, WINDOWS.c.end_time, WINDOWS.c.id)
    .where(WINDOWS.c.mentor_id == bindparam("member_id"))
    .order_by(WINDOWS.c.weekday, WINDOWS.c.start_time)
)


def _profile(row: Any) -> MentorProfile:
    return MentorProfile(
        member_id=row.member_id,
        domain=row.domain,
        years_experience=row.years_experience,
        bio=row.bio,
        expertise_tags=list(row.expertise_tags),
        status=MentorStatus(row.status),
        meeting_link=row.meeting_link,
        approved_by=row.approved_by,
        approved_at=row.approved_at,
    )


def _copy(profile: MentorProfile, row: MentorProfileRow, now: datetime) -> None:
    row.domain = profile.domain
    row.years_experience = profile.years_experience
    row.bio = profile.bio
    row.expertise_tags = list(profile.expertise_tags)
    row.status = profile.status.value
    row.meeting_link = profile.meeting_link
    row.approved_by = profile.approved_by
    row.approved_at = profile.approved_at
    row.updated_at = now


class SqlMentorRepository(SqlRepository, MentorRepository):
    def get(self, member_id: int) -> MentorProfile | None:
        row = self.rows(_BY_MEMBER, {"member_id": member_id}).first()
        return None if row is None else _profile(row)

    def add(self, profile: MentorProfile, now: datetime) -> None:
        row = MentorProfileRow(member_id=profile.member_id, created_at=now)
        _copy(profile, row, now)
        self.session.add(row)
        self.session.flush()

    def update(self, profile: MentorProfile, now: datetime) -> None:
        row = self.session.get(MentorProfileRow, profile.member_id)
        if row is not None:
            _copy(profile, row, now)
            self.session.flush()

    def list_profiles(self, status: MentorStatus | None = None) -> list[MentorProfile]:
        if status is None:
            return [_profile(row) for row in self.rows(_ALL_PROFILES)]
        rows = self.rows(_PROFILES_WITH_STATUS, {"status": status.value})
        return [_profile(row) for row in rows]

    def windows(self, member_id: int) -> list[AvailabilityWindow]:
        rows = self.rows(_WINDOWS, {"member_id": member_id})
        return [AvailabilityWindow(r.weekday, r.start_time, r.end_time, r.id) for r in rows]

    def add_window(self, member_id: int, window: AvailabilityWindow) -> AvailabilityWindow:
        row = AvailabilityWindowRow(
            mentor_id=member_id,
            weekday=window.weekday,
            start_time=window.start,
            end_time=window.end,
        )
        self.session.add(row)
        self.session.flush()
        return AvailabilityWindow(row.weekday, row.start_time, row.end_time, row.id)

    def remove_window(self, member_id: int, window_id: int) -> bool:
        result = self.session.execute(
            delete(AvailabilityWindowRow).where(
                AvailabilityWindowRow.id == window_id, AvailabilityWindowRow.mentor_id == member_id
            )
        )
        return bool(getattr(result, "rowcount", 0))
