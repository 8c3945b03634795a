"""A mentor's private notes on sessions, one row per entry (append-only)."""

from __future__ import annotations

from sqlalchemy import select

from core.ports import SessionNoteRepository
from core.session_notes import SessionNote
from db.models import SessionNoteRow
from db.repositories.base import SqlRepository


class SqlSessionNoteRepository(SqlRepository, SessionNoteRepository):
    def add(self, note: SessionNote) -> SessionNote:
        row = SessionNoteRow(
            session_id=note.session_id,
            author_id=note.author_id,
            body=note.body,
            created_at=note.created_at,
        )
        self.session.add(row)
        self.session.flush()
        return SessionNote(row.session_id, row.author_id, row.body, row.created_at, row.id)

    def for_session(self, session_id: int) -> list[SessionNote]:
        rows = self.session.scalars(
            select(SessionNoteRow)
            .where(SessionNoteRow.session_id == session_id)
            .order_by(SessionNoteRow.created_at, SessionNoteRow.id)
        )
        return [SessionNote(r.session_id, r.author_id, r.body, r.created_at, r.id) for r in rows]
