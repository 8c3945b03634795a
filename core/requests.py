"""Mentorship requests: what a student asks for, from the form to its last state."""

from __future__ import annotations

from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from core.lifecycle import NOT_COUNTED_REQUEST_STATES, RequestStatus


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

    def stored_fields(self) -> dict[str, Any]:
        """The form's fields as storage keeps them (plain values), for insert and edit alike."""
        fields = {f.name: getattr(self, f.name) for f in dataclass_fields(self)}
        fields.update(extra=dict(self.extra), urgency=self.urgency.value, tags=list(self.tags))
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

    @property
    def counts_towards_limit(self) -> bool:
        return self.status not in NOT_COUNTED_REQUEST_STATES and not self.quota_refunded
