"""The operator's export: sessions in the seed's ``mentorship_sessions`` shape, requests
with the request form's fields, as CSV or JSON.

``sessions`` has exactly the seed's columns, in its order and with its names, so a file
can be loaded into that table as it is. ``notes`` holds the request form's type-specific
answers (the request's ``extra``, as a JSON object), as the seed stores its form data;
``mentor_notes`` is read through :func:`session_mentor_notes` only.

CSV cells are made safe for spreadsheets (OWASP "CSV injection"): a cell that begins with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a ``'`` in front, so a
spreadsheet shows it as text instead of running it. A cell that already begins with
``'`` gets one more, which makes the escaping reversible: :func:`unescape_cell` removes
exactly one leading ``'``, and :func:`read_csv` reads an exported file back to the exact
stored text. An empty cell is "no value". JSON is not for spreadsheets and is not escaped.
"""

from __future__ import annotations

import csv
import dataclasses
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time
from enum import Enum
from typing import IO, Any

from core.requests import MentorshipRequest, ValidRequest
from core.sessions import MentorshipSession

SESSION_COLUMNS: tuple[str, ...] = (
    "session_id",
    "mentor_id",
    "user_id",
    "session_type",
    "status",
    "scheduled_at",
    "completed_at",
    "notes",
    "created_at",
    "is_deleted",
    "session_duration_minutes",
    "session_rating",
    "session_feedback",
    "mentor_notes",
    "updated_at",
)
_REQUEST_STATE = (
    "status",
    "claimed_by",
    "claimed_at",
    "expires_at",
    "cancel_reason",
    "created_at",
    "updated_at",
    "is_deleted",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"


def request_columns() -> tuple[str, ...]:
    """``request_id``, ``user_id`` (the seed's name for the student), every field of the
    request form (read from the form's own definition, so a new field is exported too),
    then where the request stands."""
    form = tuple(f.name for f in dataclasses.fields(ValidRequest))
    return ("request_id", "user_id", *form, *(c for c in _REQUEST_STATE if c not in form))


def session_mentor_notes(session: MentorshipSession) -> str | None:
    """The seed's ``mentor_notes``: the only place the export reads a mentor's notes."""
    return session.mentor_notes


def is_deleted(row: MentorshipSession | MentorshipRequest) -> bool:
    """Withdrawn or hidden: the flag, or a ``deleted_at`` where the entity has one."""
    return bool(row.is_deleted or getattr(row, "deleted_at", None) is not None)


def session_notes(request: MentorshipRequest | None) -> str | None:
    """The form's type-specific answers as one JSON object (None when there are none)."""
    if request is None or not request.extra:
        return None
    return json.dumps(request.extra, ensure_ascii=False, sort_keys=True)


def session_record(session: MentorshipSession, request: MentorshipRequest | None) -> dict[str, Any]:
    """One session as the seed's row, in plain JSON values."""
    values: dict[str, Any] = {
        "session_id": session.id,
        "mentor_id": session.mentor_id,
        "user_id": session.student_id,
        "session_type": session.session_type,
        "status": session.status,
        "scheduled_at": session.scheduled_at,
        "completed_at": session.completed_at,
        "notes": session_notes(request),
        "created_at": session.created_at,
        "is_deleted": is_deleted(session),
        "session_duration_minutes": session.session_duration_minutes,
        "session_rating": session.session_rating,
        "session_feedback": session.session_feedback,
        "mentor_notes": session_mentor_notes(session),
        "updated_at": session.updated_at,
    }
    return {column: plain(values[column]) for column in SESSION_COLUMNS}


def request_record(request: MentorshipRequest) -> dict[str, Any]:
    values = {"request_id": request.id, "user_id": request.student_id}
    values["is_deleted"] = is_deleted(request)
    return {
        c: plain(values[c] if c in values else getattr(request, c, None)) for c in request_columns()
    }


def sessions_table(
    sessions: Iterable[MentorshipSession], requests: Iterable[MentorshipRequest]
) -> list[dict[str, Any]]:
    by_id = {r.id: r for r in requests}
    return [session_record(s, by_id.get(s.request_id)) for s in sorted(sessions, key=_id)]


def requests_table(requests: Iterable[MentorshipRequest]) -> list[dict[str, Any]]:
    return [request_record(r) for r in sorted(requests, key=_id)]


def _id(row: MentorshipSession | MentorshipRequest) -> int:
    return row.id


def plain(value: Any) -> Any:
    """A JSON value: times as ISO 8601, enums by value, collections element by element."""
    if value is None or isinstance(value, bool | int | float | str):
        return value.value if isinstance(value, Enum) else value
    if isinstance(value, Enum):
        return plain(value.value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return plain(dataclasses.asdict(value))
    return str(value)


def escape_cell(text: str) -> str:
    """Text a spreadsheet will not run as a formula; reversed by :func:`unescape_cell`."""
    return ESCAPE + text if text.startswith((*FORMULA_STARTS, ESCAPE)) else text


def unescape_cell(text: str) -> str:
    return text[1:] if text.startswith(ESCAPE) else text


def csv_cell(value: Any) -> str:
    """A record's value as one escaped CSV cell (lists and objects as JSON)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False)
    else:
        text = str(value)
    return escape_cell(text)


def write_csv(stream: IO[str], columns: Sequence[str], records: Iterable[Mapping[str, Any]]) -> int:
    """The header (always, even with no rows), then one line per record; the row count.
    Open ``stream`` with ``newline=""`` so newlines inside cells survive."""
    writer = csv.writer(stream)
    writer.writerow(columns)
    count = 0
    for record in records:
        writer.writerow([csv_cell(record[c]) for c in columns])
        count += 1
    return count


def read_csv(stream: IO[str]) -> list[dict[str, str]]:
    """An exported CSV back as text, unescaped: the reader for round trips. Open the file
    with ``encoding="utf-8-sig", newline=""`` (the BOM, if any, is then skipped)."""
    return [{k: unescape_cell(v) for k, v in row.items()} for row in csv.DictReader(stream)]
