"""A mentor's private notes: append an entry, read them back.

Entries are shown to the mentor who wrote them and to admins, never to students (a
student asking gets the same refusal as a stranger). Each append also rewrites the
session's ``mentor_notes`` as every entry joined, so the seed's column (and the export
that reads it) always holds all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.errors import NotAllowed
from core.ports import UnitOfWork
from core.services.common import load_session
from core.services.context import ServiceContext, load_member
from core.session_notes import SessionNote, join_entries
from core.sessions import MentorshipSession


@dataclass(frozen=True)
class NotesView:
    """What a reader may see of a session's notes."""

    session: MentorshipSession
    entries: tuple[SessionNote, ...]  # oldest first


def append_note(
    uow: UnitOfWork, session: MentorshipSession, author_id: int, body: str, now: datetime
) -> None:
    """Add one entry (never replacing an earlier one) and refresh the joined column."""
    uow.session_notes.add(SessionNote(session.id, author_id, body, now))
    joined = join_entries(uow.session_notes.for_session(session.id))
    uow.sessions.update_notes(
        session.id,
        now,
        mentor_notes=joined,
        session_duration_minutes=session.session_duration_minutes,
    )


def joined_notes(uow: UnitOfWork, session_id: int) -> str | None:
    """The seed's ``mentor_notes`` for one session: every entry, oldest first, joined.

    Equal to what ``MentorshipSession.mentor_notes`` holds; for readers (the export) that
    want it from the entries themselves."""
    return join_entries(uow.session_notes.for_session(session_id))


def read_notes(ctx: ServiceContext, actor_id: int, session_id: int) -> NotesView:
    """The session's mentor sees their own entries; an admin sees every entry."""
    with ctx.uow_factory() as uow:
        actor = load_member(uow, actor_id)
        session = load_session(uow, session_id)
        if actor_id != session.mentor_id and not actor.is_admin:
            raise NotAllowed("Only the mentor of this session and admins can read its notes.")
        entries = uow.session_notes.for_session(session_id)
    if not actor.is_admin:
        entries = [e for e in entries if e.author_id == actor_id]
    return NotesView(session, tuple(entries))
