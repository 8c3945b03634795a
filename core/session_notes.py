"""A mentor's private notes on a session: append-only entries, each with its time.

A second note never replaces the first. The seed's single ``mentor_notes`` column is
kept as the entries joined (:func:`join_entries`), so the export and anything reading the
session row still see every note; the entries themselves are read through
``core.services.notes``, which shows each mentor their own and admins all of them.
Students never see either.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class SessionNote:
    session_id: int
    author_id: int
    body: str
    created_at: datetime
    id: int | None = None


SEPARATOR = "\n\n"


def join_entries(notes: Sequence[SessionNote]) -> str | None:
    """The seed's ``mentor_notes``: every entry's text, oldest first, a blank line apart.

    Only the text, so that one note is exactly what the mentor wrote (the seed's column
    as it always was); each entry's time is in its own row."""
    return SEPARATOR.join(n.body for n in notes) or None
