"""Saving the free text the shared actions ask for: feedback after a rating, a mentor's
notes. Used both for the answer to the question and for the text typed with the command
(``/rate 1 5 Great``, ``/notes 1 50 Covered X``)."""

from __future__ import annotations

from collections.abc import Callable

from bot.conversation.replies import Input
from bot.handlers.console.session import ConsoleSession
from core.services.outcomes import leave_feedback, update_mentor_notes

Saver = Callable[[ConsoleSession, int, str], None]


def save_feedback(s: ConsoleSession, session_id: int, text: str) -> None:
    me = s.require_me()
    leave_feedback(s.ctx, me.id, session_id, text)
    s.drop_pending(me.id)
    s.say("Thank you, your feedback is saved.")


def save_notes(s: ConsoleSession, session_id: int, text: str) -> None:
    """``[MINUTES] NOTES``: a first word of digits is the real duration."""
    me = s.require_me()
    first, _, rest = text.strip().partition(" ")
    minutes = int(first) if first.isdigit() and len(first) <= 9 else None
    notes = rest.strip() if minutes is not None else text.strip()
    update_mentor_notes(
        s.ctx, me.id, session_id, mentor_notes=notes or None, duration_minutes=minutes
    )
    s.drop_pending(me.id)
    s.say("Saved. Only mentors and admins can read these notes.")


SAVERS: dict[Input, Saver] = {Input.FEEDBACK: save_feedback, Input.NOTES: save_notes}
