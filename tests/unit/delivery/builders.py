"""Plain domain objects for the delivery tests: a request, its session, a notification.

Everything is built directly (no services), so each test states exactly the state that the
rule under test looks at.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from core.lifecycle import RequestStatus, SessionStatus
from core.members import Identity, Member, Platform
from core.notifications import Audience, Kind, Notification
from core.requests import MentorshipRequest, Urgency
from core.sessions import MentorshipSession

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
START = datetime(2026, 3, 9, 17, 0, tzinfo=UTC)  # 18:00 in Berlin, 13:00 in New York
STUDENT_ID, MENTOR_ID, ADMIN_ID = 11, 22, 33
REQUEST_ID, SESSION_ID = 101, 202
LINK = "https://meet.example/abc"


def a_request(status: RequestStatus = RequestStatus.OPEN, **changes: Any) -> MentorshipRequest:
    request = MentorshipRequest(
        id=REQUEST_ID,
        student_id=STUDENT_ID,
        session_type="MOCK_INTERVIEW",
        title="Mock interview for a backend role",
        description="Two rounds: system design and Python.",
        extra={"domain": "backend", "target_role": "Senior engineer"},
        duration_minutes=60,
        urgency=Urgency.HIGH,
        available_from=date(2026, 3, 3),
        available_until=date(2026, 3, 13),
        tags=["python", "interviews"],
        preferred_mentor_id=None,
        status=status,
        expires_at=NOW + timedelta(days=7),
        created_at=NOW,
        updated_at=NOW,
        claimed_by=MENTOR_ID if status != RequestStatus.OPEN else None,
        cancel_reason="found help elsewhere" if status == RequestStatus.CANCELLED else None,
    )
    return replace(request, **changes)


def a_session(status: SessionStatus = SessionStatus.SCHEDULED, **changes: Any) -> MentorshipSession:
    session = MentorshipSession(
        id=SESSION_ID,
        request_id=REQUEST_ID,
        mentor_id=MENTOR_ID,
        student_id=STUDENT_ID,
        session_type="MOCK_INTERVIEW",
        status=status,
        scheduled_at=START,
        ends_at=START + timedelta(hours=1),
        duration_minutes=60,
        meeting_link=LINK,
        created_at=NOW,
        updated_at=NOW,
    )
    return replace(session, **changes)


def a_notification(
    kind: Kind,
    *,
    audience: Audience = Audience.MEMBER,
    recipient_id: int | None = STUDENT_ID,
    due_at: datetime = NOW,
    **payload: Any,
) -> Notification:
    return Notification(
        kind=kind,
        audience=audience,
        recipient_id=recipient_id if audience == Audience.MEMBER else None,
        due_at=due_at,
        dedup_key=f"{kind}:test:{recipient_id}",
        payload=payload,
        request_id=REQUEST_ID,
        session_id=SESSION_ID,
        id=7,
    )


def a_reminder(offset: timedelta, **payload: Any) -> Notification:
    minutes = int(offset.total_seconds() // 60)
    return a_notification(Kind.REMINDER, due_at=START - offset, offset_minutes=minutes, **payload)


def a_member(member_id: int, name: str, zone: str) -> Member:
    return Member(
        member_id,
        name,
        zone,
        identities=[Identity(Platform.CONSOLE, f"chat-{member_id}")],
    )


STUDENT = a_member(STUDENT_ID, "Sam", "America/New_York")
MENTOR = a_member(MENTOR_ID, "Mia", "Europe/Berlin")
ADMIN = a_member(ADMIN_ID, "Ada", "Asia/Tokyo")
NAMES = {STUDENT_ID: "Sam", MENTOR_ID: "Mia", ADMIN_ID: "Ada"}
