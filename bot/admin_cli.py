"""Operator commands behind ``mentorbot admin``: the operator acts with no chat identity."""

from __future__ import annotations

import csv
import dataclasses
import io
from pathlib import Path

from bot.bootstrap import build_app
from bot.views import stats_text
from core.errors import DomainError
from core.members import Identity, Platform
from core.services.admin import export_rows, grant_admin
from core.services.members import find_member
from core.services.mentors import decide_mentor
from core.stats import compute_stats

OPERATOR = Identity(Platform.CONSOLE, "operator")


def approve_mentor(who: str) -> str:
    app = build_app()
    try:
        member_id = int(who) if who.isdigit() else None
        if member_id is None:
            member = find_member(app.ctx, Identity(Platform.CONSOLE, who.lower()))
            if member is None:
                return f"No member called {who!r}."
            member_id = member.id
        operator = _operator_id(app)
        try:
            profile = decide_mentor(app.ctx, operator, member_id, approve=True)
        except DomainError as exc:
            return exc.user_message
        return f"Mentor {profile.member_id} approved."
    finally:
        app.close()


def _operator_id(app: object) -> int:
    from bot.bootstrap import App
    from core.services.members import register_member

    assert isinstance(app, App)
    member, _ = register_member(app.ctx, OPERATOR, "Operator", admin=True)
    grant_admin(app.ctx, None, member.id)
    return member.id


def stats() -> str:
    app = build_app()
    try:
        requests, sessions = export_rows(app.ctx, None)
        return stats_text(compute_stats(requests, sessions))
    finally:
        app.close()


def _table(rows: list[object]) -> str:
    buffer = io.StringIO()
    if not rows:
        return ""
    fields = [f.name for f in dataclasses.fields(rows[0])]  # type: ignore[arg-type]
    writer = csv.DictWriter(buffer, fieldnames=fields)
    writer.writeheader()
    for row in rows:
        data = dataclasses.asdict(row)  # type: ignore[call-overload]
        writer.writerow({k: _cell(v) for k, v in data.items()})
    return buffer.getvalue()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    if isinstance(value, dict):
        return ";".join(f"{k}={v}" for k, v in value.items())
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def export_csv(prefix: str | None) -> str:
    """Both tables; to ``PREFIX-requests.csv`` / ``PREFIX-sessions.csv`` or as text."""
    app = build_app()
    try:
        requests, sessions = export_rows(app.ctx, None)
    finally:
        app.close()
    tables = {"requests": _table(list(requests)), "sessions": _table(list(sessions))}
    if prefix:
        for name, text in tables.items():
            Path(f"{prefix}-{name}.csv").write_text(text, encoding="utf-8")
        return f"wrote {prefix}-requests.csv and {prefix}-sessions.csv\n"
    return "".join(f"# {name}\n{text}" for name, text in tables.items())
