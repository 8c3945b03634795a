"""Mentorship requests: what a student asks for, from the form to its last state."""

from __future__ import annotations

from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from core.hours import DEFAULT_HOURS, DEFAULT_TEXT, HourRange, format_hours
from core.lifecycle import NOT_COUNTED_REQUEST_STATES, UNFINISHED_REQUEST_STATES, RequestStatus


class Urgency(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"


@dataclass
class RequestDraft:
    """The form as the student filled it, unvalidated: every front-end builds one of these."""

    session_type: str = ""
    title: str = ""
    description: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    duration_minutes: int | None = None
    urgency: str = Urgency.NORMAL.value
    available_from: date | None = None
    available_until: date | None = None
    tags: list[str] = field(default_factory=list)
    preferred_mentor_id: int | None = None
    # the student's own hours in their zone, as typed or picked ("mornings,19-21")
    student_hours: str = DEFAULT_TEXT
    # with a chosen mentor: may every mentor take it if they do not, in time? (asked only
    # when a mentor is chosen; unanswered means no: it stays the chosen mentor's)
    open_to_others: bool = False
    # set by front-ends per form instance, so a second press of Submit adds nothing
    submission_key: str | None = None


@dataclass(frozen=True)
class ValidRequest:
    """A draft that passed :func:`core.validation.validate_draft`; only these are stored."""

    session_type: str
    title: str
    description: str
    extra: dict[str, str]
    duration_minutes: int
    urgency: Urgency
    available_from: date
    available_until: date
    tags: tuple[str, ...]
    preferred_mentor_id: int | None
    open_to_others: bool = False
    student_hours: tuple[HourRange, ...] = DEFAULT_HOURS

    def stored_fields(self) -> dict[str, Any]:
        """The form's fields as storage keeps them (plain values), for insert and edit alike."""
        fields = {f.name: getattr(self, f.name) for f in dataclass_fields(self)}
        fields.update(extra=dict(self.extra), urgency=self.urgency.value, tags=list(self.tags))
        fields.update(student_hours=format_hours(self.student_hours))
        return fields


@dataclass
class MentorshipRequest:
    id: int
    student_id: int
    session_type: str
    title: str
    description: str
    extra: dict[str, str]
    duration_minutes: int
    urgency: Urgency
    available_from: date
    available_until: date
    tags: list[str]
    preferred_mentor_id: int | None
    status: RequestStatus
    expires_at: datetime
    created_at: datetime
    updated_at: datetime
    claimed_by: int | None = None
    claimed_at: datetime | None = None
    cancel_reason: str | None = None
    quota_refunded: bool = False
    last_announced_at: datetime | None = None
    is_deleted: bool = False
    deleted_at: datetime | None = None  # withdrawn by its student, or hidden by an admin
    student_hours: tuple[HourRange, ...] = DEFAULT_HOURS  # in the student's zone
    open_to_others: bool = False
    # set while only the preferred mentor may claim it (None: open to every mentor)
    exclusive_until: datetime | None = None

    @property
    def reserved(self) -> bool:
        """Still the chosen mentor's alone: not yet opened to every mentor."""
        return self.exclusive_until is not None and self.preferred_mentor_id is not None

    @property
    def counts_towards_limit(self) -> bool:
        if self.status in NOT_COUNTED_REQUEST_STATES or self.quota_refunded:
            return False
        # withdrawn once finished: still used (hiding is no way round a limit); an
        # unfinished one an admin hid is over, and frees its place
        return not (self.is_deleted and self.status in UNFINISHED_REQUEST_STATES)
