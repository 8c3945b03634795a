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
    deleted_at: datetime | None = None
    no_show_at: datetime | None = None  # when the no-show was reported
    disputed_at: datetime | None = None  # the other side said "it did happen"
    disputed_by: int | None = None
    settled_at: datetime | None = None  # an admin decided the dispute
    settled_by: int | None = None
    settled_as: str | None = None  # "completed" or "no_show"
    move_reason: str | None = None  # why ``move_reason_by`` is moving it (until the move)
    move_reason_by: int | None = None

    @property
    def is_disputed(self) -> bool:
        """A no-show report the other side contests, not yet settled by an admin."""
        return self.disputed_at is not None and self.settled_at is None

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.scheduled_at < end and start < self.ends_at

    def for_student(self) -> MentorshipSession:
        """A copy safe to show the student: the mentor's private notes are removed here,
        once, rather than trusted to every front-end."""
        return replace(self, mentor_notes=None)


def no_show_party_id(session: MentorshipSession) -> int | None:
    """Who was reported absent: the one person who may answer "It did happen"."""
    if session.no_show_by == NoShowParty.MENTOR:
        return session.mentor_id
    if session.no_show_by == NoShowParty.STUDENT:
        return session.student_id
    return None


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
