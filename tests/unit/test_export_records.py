"""The rows the export writes, from entities alone: the seed's columns, the form's answers
in ``notes``, and withdrawn or hidden rows marked rather than left out."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from core.export import SESSION_COLUMNS, read_csv, sessions_table, write_csv
from core.lifecycle import RequestStatus, SessionStatus
from core.requests import MentorshipRequest, Urgency
from core.sessions import MentorshipSession

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
REQUEST = MentorshipRequest(
    id=7,
    student_id=2,
    session_type="MOCK_INTERVIEW",
    title="=1+1",
    description="d",
    extra={"domain": "Backend", "target_role": "Staff"},
    duration_minutes=60,
    urgency=Urgency.NORMAL,
    available_from=date(2026, 3, 3),
    available_until=date(2026, 3, 9),
    tags=["python"],
    preferred_mentor_id=None,
    status=RequestStatus.SCHEDULED,
    expires_at=NOW + timedelta(days=7),
    created_at=NOW,
    updated_at=NOW,
)
SESSION = MentorshipSession(
    id=3,
    request_id=7,
    mentor_id=5,
    student_id=2,
    session_type="MOCK_INTERVIEW",
    status=SessionStatus.SCHEDULED,
    scheduled_at=NOW + timedelta(days=1),
    ends_at=NOW + timedelta(days=1, hours=1),
    duration_minutes=60,
    meeting_link="https://meet.example/x",
    created_at=NOW,
    updated_at=NOW,
)


def test_a_session_row_is_the_seeds_row():
    (row,) = sessions_table([SESSION], [REQUEST])
    assert list(row) == list(SESSION_COLUMNS)
    assert row["session_id"] == 3 and row["user_id"] == 2 and row["mentor_id"] == 5
    assert row["status"] == "SCHEDULED"
    assert row["scheduled_at"] == "2026-03-03T08:00:00+00:00"
    assert json.loads(row["notes"]) == REQUEST.extra
    assert row["completed_at"] is None and row["is_deleted"] is False


def test_a_withdrawn_or_hidden_row_is_marked_deleted():
    hidden = replace(SESSION, deleted_at=NOW) if hasattr(SESSION, "deleted_at") else SESSION
    flagged = replace(SESSION, id=4, is_deleted=True)
    rows = sessions_table([hidden, flagged], [REQUEST])
    assert [r["is_deleted"] for r in rows] == [hasattr(SESSION, "deleted_at"), True]


def test_a_session_without_form_answers_has_empty_notes():
    (row,) = sessions_table([SESSION], [replace(REQUEST, extra={})])
    buffer = io.StringIO(newline="")
    write_csv(buffer, SESSION_COLUMNS, [row])
    buffer.seek(0)
    (read,) = read_csv(buffer)
    assert read["notes"] == "" and read["completed_at"] == ""
