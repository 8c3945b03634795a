"""Keeping records straight: disputing a no-show, an admin settling it, and hiding
finished requests and sessions from every list (nothing is ever deleted)."""

from __future__ import annotations

from bot.conversation.replies import Answer
from bot.conversation.turn import Turn
from bot.conversation.vocabulary import Arg, action
from core.delivery.messages import Action, ActionName
from core.services.disputes import SETTLED_COMPLETED, dispute_no_show, settle_dispute
from core.services.hiding import hide_session, withdraw_request
from core.sessions import Outcome


def settle_buttons(session_ids: tuple[int, ...]) -> tuple[Action, ...]:
    """For an admin's stats: settle each disputed no-show one way or the other."""
    buttons: list[Action] = []
    for sid in session_ids:
        buttons.append(
            Action(f"#{sid}: it happened", ActionName.SETTLE, (str(sid), Outcome.COMPLETED.value))
        )
        buttons.append(Action(f"#{sid}: no-show", ActionName.SETTLE, (str(sid), "no_show")))
    return tuple(buttons)


@action(
    ActionName.DISPUTE,
    Arg.ID,
    who="the person a no-show report is about, within 48 hours",
    usage="SESSION_ID",
)
async def dispute(turn: Turn, session_id: int) -> Answer:
    session, disputed = await turn.call(dispute_no_show, turn.member.id, session_id)
    if session.settled_at is not None:
        return Answer(note="An admin has already settled what happened in this session.")
    if not disputed:
        return Answer(note="You already said it happened; an admin will settle it.")
    return Answer(note="Noted: you say it happened. The other side and an admin are told.")


@action(
    ActionName.SETTLE,
    Arg.ID,
    Arg.TEXT,
    who="an admin",
    usage="SESSION_ID completed|no_show",
)
async def settle(turn: Turn, session_id: int, verdict: str) -> Answer:
    word = verdict.strip().lower()
    if word not in (SETTLED_COMPLETED, "no_show", "no-show"):
        return Answer(note="Settle as completed or no_show, e.g. /settle 5 completed.")
    completed = word == SETTLED_COMPLETED
    await turn.call(settle_dispute, turn.member.id, session_id, completed=completed)
    said = "it happened (completed)" if completed else "a no-show"
    return Answer(note=f"Session {session_id} settled as {said}; both sides are told.")


@action(
    ActionName.WITHDRAW,
    Arg.ID,
    who="the request's student once it is over, or an admin",
    usage="REQUEST_ID",
)
async def withdraw(turn: Turn, request_id: int) -> Answer:
    await turn.call(withdraw_request, turn.member.id, request_id)
    return Answer(note=f"Request #{request_id} is withdrawn: it no longer shows in any list.")


@action(
    ActionName.HIDE_SESSION,
    Arg.ID,
    who="the session's student once it is over, or an admin",
    usage="SESSION_ID",
)
async def hide(turn: Turn, session_id: int) -> Answer:
    await turn.call(hide_session, turn.member.id, session_id)
    return Answer(note=f"Session {session_id} is hidden: it no longer shows in any list.")
