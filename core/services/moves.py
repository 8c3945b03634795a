"""Why a session is being moved, kept from the Reschedule press until the new time.

A button carries no free text, so "Reschedule" asks why first (as a cancel does); the
answer waits on the session, under the name of whoever gave it, until that person picks
the new time. The move then writes it into its transition event and the "Moved by …"
message (``core.services.sessions.reschedule_session``) and clears it. A reason given by
one side is never used for the other side's move.
"""

from __future__ import annotations

from core.errors import InvalidTransition, NotAllowed
from core.lifecycle import SessionStatus
from core.services.common import clean_reason, load_session
from core.services.context import ServiceContext
from core.sessions import MentorshipSession

NOT_YOURS_TO_MOVE = "Only the student and the mentor of this session can move it."


def _movable(session: MentorshipSession, actor_id: int) -> None:
    if actor_id not in (session.mentor_id, session.student_id):
        raise NotAllowed(NOT_YOURS_TO_MOVE)
    if session.status != SessionStatus.SCHEDULED:
        state = session.status.lower().replace("_", "-")
        raise InvalidTransition(f"This session is {state}; it cannot move.")


def move_would_act(ctx: ServiceContext, actor_id: int, session_id: int) -> bool:
    """Whether the session can be moved by this person now (a reason is then worth
    asking for); refuses, as the move would, anyone who may not."""
    with ctx.uow_factory() as uow:
        session = load_session(uow, session_id)
    _movable(session, actor_id)
    return True


def keep_move_reason(
    ctx: ServiceContext, actor_id: int, session_id: int, reason: str | None
) -> MentorshipSession:
    """Remember why ``actor_id`` is moving the session (None: no reason, which also
    forgets an earlier one), until they pick the new time."""
    why = clean_reason(ctx, reason) or None
    now = ctx.now()
    with ctx.uow_factory() as uow:
        session = load_session(uow, session_id)
        _movable(session, actor_id)
        if not uow.sessions.transition(
            session_id,
            [SessionStatus.SCHEDULED],
            SessionStatus.SCHEDULED,
            now,
            move_reason=why,
            move_reason_by=actor_id,
        ):
            raise InvalidTransition()
        uow.commit()
    session.move_reason, session.move_reason_by = why, actor_id
    return session
