"""Sessions (the seed's ``mentorship_sessions``): a claimed request with a time."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from core.lifecycle import SessionStatus


class Outcome(StrEnum):
    """The answers to "did it happen?"."""

    COMPLETED = "completed"
    MENTOR_NO_SHOW = "mentor_no_show"
    STUDENT_NO_SHOW = "student_no_show"


class NoShowParty(StrEnum):
    MENTOR = "mentor"
    STUDENT = "student"


@dataclass
class MentorshipSession:
    id: int
    request_id: int
    mentor_id: int
    student_id: int
    session_type: str
    status: SessionStatus
    scheduled_at: datetime
    ends_at: datetime
    duration_minutes: int
    meeting_link: str
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None = None
    notes: str | None = None
    mentor_notes: str | None = None  # private: never shown to the student
    session_duration_minutes: int | None = None
    session_rating: int | None = None
    session_feedback: str | None = None
    no_show_by: NoShowParty | None = None
    is_deleted: bool = False

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.scheduled_at < end and start < self.ends_at

    def for_student(self) -> MentorshipSession:
        """A copy safe to show the student: the mentor's private notes are removed here,
        once, rather than trusted to every front-end."""
        return replace(self, mentor_notes=None)


# Each side reports what it can know: that the session happened, or that the *other*
# side did not come. Buttons offer only these, and the service refuses the rest.
OUTCOMES_FOR_MENTOR = (Outcome.COMPLETED, Outcome.STUDENT_NO_SHOW)
OUTCOMES_FOR_STUDENT = (Outcome.COMPLETED, Outcome.MENTOR_NO_SHOW)


def outcomes_for(session: MentorshipSession, member_id: int | None) -> tuple[Outcome, ...]:
    """The outcomes ``member_id`` may report for ``session`` (none for a stranger)."""
    if member_id == session.mentor_id:
        return OUTCOMES_FOR_MENTOR
    if member_id == session.student_id:
        return OUTCOMES_FOR_STUDENT
    return ()
