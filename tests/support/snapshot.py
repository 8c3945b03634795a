"""Reading the database from the front-end tests: a snapshot of the domain tables (equal
snapshots mean nothing changed) and one value."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, text


def domain_snapshot(engine: Engine, admin_columns: str = "id, is_admin") -> dict[str, list[Any]]:
    """Every domain table, row by row. Left out: who has talked to the bot (members,
    identities; only the admins' ``admin_columns``), the front-end's own bookkeeping
    (handled updates, conversation state) and the outbox's delivery columns."""
    tables = {
        "mentorship_requests": "SELECT * FROM mentorship_requests ORDER BY id",
        "mentorship_sessions": "SELECT * FROM mentorship_sessions ORDER BY id",
        "mentor_profiles": "SELECT * FROM mentor_profiles ORDER BY member_id",
        "availability_windows": "SELECT * FROM availability_windows ORDER BY id",
        "transition_events": "SELECT * FROM transition_events ORDER BY id",
        "notifications": "SELECT id, kind, recipient_id, dedup_key, due_at "
        "FROM notifications ORDER BY id",
        "admins": f"SELECT {admin_columns} FROM members WHERE is_admin ORDER BY id",
    }
    with engine.connect() as connection:
        return {
            name: [tuple(row) for row in connection.execute(text(query))]
            for name, query in tables.items()
        }


def scalar(engine: Engine, query: str, **params: Any) -> Any:
    with engine.connect() as connection:
        return connection.execute(text(query), params).scalar()
