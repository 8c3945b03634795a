"""A domain snapshot that is the same whichever front-end produced it.

``tests/support/snapshot.py`` compares one database with itself (every column, ids and
all); this one compares runs of one scenario through different front-ends: ids, message
references and creation times differ between them, what happened must not. It keeps the
statuses, who (by name), when a session is (UTC), ratings, feedback, reasons, how many
notifications of each kind were sent (or skipped), and how many transitions of each kind
were recorded.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, text


def _utc(value: Any) -> str | None:
    if value is None:
        return None
    found = datetime.fromisoformat(value) if isinstance(value, str) else value
    if found.tzinfo is None:
        found = found.replace(tzinfo=UTC)
    return str(found.astimezone(UTC).strftime("%Y-%m-%d %H:%M"))


def _list(value: Any) -> list[Any]:
    found = json.loads(value) if isinstance(value, str) else value
    return list(found or [])


def domain_outcome(engine: Engine) -> dict[str, Any]:
    with engine.connect() as c:
        names = {i: n for i, n in c.execute(text("SELECT id, display_name FROM members"))}
        titles = {i: t for i, t in c.execute(text("SELECT id, title FROM mentorship_requests"))}

        def name(member_id: int | None) -> str | None:
            return names.get(member_id) if member_id is not None else None

        requests = [
            (title, status, name(student), name(claimed), reason, bool(refunded), _list(tags))
            for title, status, student, claimed, reason, refunded, tags in c.execute(
                text(
                    "SELECT title, status, student_id, claimed_by, cancel_reason, "
                    "quota_refunded, tags FROM mentorship_requests ORDER BY id"
                )
            )
        ]
        sessions = [
            (titles[rid], status, _utc(at), name(mentor), name(student), rating, feedback, no_show)
            for rid, status, at, mentor, student, rating, feedback, no_show in c.execute(
                text(
                    "SELECT request_id, status, scheduled_at, mentor_id, student_id, "
                    "session_rating, session_feedback, no_show_by "
                    "FROM mentorship_sessions ORDER BY id"
                )
            )
        ]
        mentors = sorted(
            (name(m), status, _list(tags))
            for m, status, tags in c.execute(
                text("SELECT member_id, status, expertise_tags FROM mentor_profiles")
            )
        )
        sent = Counter(
            (kind, status)
            for kind, status in c.execute(text("SELECT kind, status FROM notifications"))
        )
        moves = Counter(
            (entity, old, new)
            for entity, old, new in c.execute(
                text("SELECT entity, from_status, to_status FROM transition_events")
            )
        )
        admins = sorted(
            n for (n,) in c.execute(text("SELECT display_name FROM members WHERE is_admin"))
        )
    return {
        "requests": requests,
        "sessions": sessions,
        "mentors": mentors,
        "notifications": sorted(sent.items(), key=str),
        "transitions": sorted(moves.items(), key=str),
        "admins": admins,
    }
