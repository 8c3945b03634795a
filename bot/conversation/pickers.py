"""Choices offered in forms, built once for every front-end."""

from __future__ import annotations

from collections.abc import Sequence

from core.forms import Choice
from core.services.mentors import MentorSummary

MENTORS_OFFERED = 20  # a select stays short; the rest are reachable from the mentors list


def mentor_choices(
    mentors: Sequence[MentorSummary], me: int | None, chosen: int | None = None
) -> list[Choice]:
    """Approved mentors other than oneself, best rated first, the chosen one kept in.

    "No preference" is not among them: the form's step adds it (``core.forms``).
    """
    choices = [Choice(str(m.member_id), m.name) for m in mentors if m.member_id != me]
    wanted = str(chosen) if chosen is not None else None
    return sorted(choices, key=lambda c: c.value != wanted)[:MENTORS_OFFERED]
