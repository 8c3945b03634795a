"""Operator commands behind ``mentorbot admin``: the operator acts with no chat identity.

Each returns the line to show on success and raises :class:`Refused` (one line, exit
status 1 at the CLI) when nothing was done: an unknown person, a refusal of the service.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.bootstrap import App, build_app
from bot.views import stats_text
from core.errors import DomainError
from core.export import (
    SESSION_COLUMNS,
    request_columns,
    requests_table,
    sessions_table,
    write_csv,
)
from core.members import Identity, Platform
from core.services.admin import export_rows, grant_admin
from core.services.members import find_member
from core.services.mentors import decide_mentor
from core.stats import compute_stats

OPERATOR = Identity(Platform.CONSOLE, "operator")


class Refused(Exception):
    """The command did nothing; the message is one line for the operator."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))  # one line, whatever the service said


def grant(who: str) -> str:
    """Make someone an admin in the product: kept whatever ``MENTORBOT_ADMINS`` says."""
    app = build_app(apply_admins=False)
    try:
        member_id = _member_id(app, who)
        if member_id is None:
            raise Refused(f"No member called {who!r}.")
        try:
            member = grant_admin(app.ctx, None, member_id)
        except DomainError as exc:
            raise Refused(exc.user_message) from None
        return f"{member.display_name} (member {member.id}) is an admin."
    finally:
        app.close()


def _member_id(app: App, who: str) -> int | None:
    """A member id as typed, or the member behind a console name."""
    if who.isdigit():
        return int(who) if len(who) < 19 else None  # beyond any stored id
    member = find_member(app.ctx, Identity(Platform.CONSOLE, who.lower()))
    return None if member is None else member.id


def approve_mentor(who: str) -> str:
    """Approve someone who applied to mentor (approving twice is harmless)."""
    app = build_app(apply_admins=False)
    try:
        member_id = _member_id(app, who)
        if member_id is None:
            raise Refused(f"No member called {who!r}.")
        operator = _operator_id(app)
        try:
            profile = decide_mentor(app.ctx, operator, member_id, approve=True)
        except DomainError as exc:
            raise Refused(exc.user_message) from None
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
    app = build_app(apply_admins=False)
    try:
        requests, sessions = export_rows(app.ctx, None)
        return stats_text(compute_stats(requests, sessions))
    finally:
        app.close()


def export(fmt: str, output: str, *, bom: bool = False) -> str:
    """``sessions`` and ``requests`` as ``.csv`` or ``.json`` files in the folder ``output``
    (created if missing); the line to show the operator. Raises :class:`ExportFailed`
    with a one-line reason when the folder or a file cannot be written."""
    app = build_app(apply_admins=False)
    try:
        requests, sessions = export_rows(app.ctx, None)
    finally:
        app.close()
    tables = {
        "sessions": (SESSION_COLUMNS, sessions_table(sessions, requests)),
        "requests": (request_columns(), requests_table(requests)),
    }
    folder = Path(output)
    if folder.exists() and not folder.is_dir():
        raise ExportFailed(f"cannot write the export to {output}: it is a file, not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        written = [
            _write(folder / f"{name}.{fmt}", fmt, *table, bom) for name, table in tables.items()
        ]
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise ExportFailed(f"cannot write the export to {output}: {reason}") from None
    return "wrote " + " and ".join(f"{path} ({rows} rows)" for path, rows in written)


class ExportFailed(Refused):
    """The export could not be written; the message is one line for the operator."""


def _write(
    path: Path, fmt: str, columns: Sequence[str], records: list[dict[str, Any]], bom: bool
) -> tuple[Path, int]:
    """Written beside the target and renamed over it, so a failure leaves no half file."""
    partial = path.with_name(path.name + ".partial")
    encoding = "utf-8-sig" if bom and fmt == "csv" else "utf-8"  # JSON never takes a BOM
    with partial.open("w", encoding=encoding, newline="") as stream:
        if fmt == "json":
            json.dump(records, stream, ensure_ascii=False, indent=2)
            stream.write("\n")
        else:
            write_csv(stream, columns, records)
    os.replace(partial, path)
    return path, len(records)
