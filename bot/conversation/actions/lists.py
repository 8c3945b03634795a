"""What a person asks to see: their requests and sessions, limits, mentors, the queue.

Each list comes with the buttons that act on what it shows; which ones, and how many
entries, is decided here once for every front-end.
"""

from __future__ import annotations

from bot.conversation.replies import Answer, Reply
from bot.conversation.turn import Turn
from bot.conversation.vocabulary import action
from bot.views import (
    days_left_of,
    limits_text,
    mentors_text,
    queue_line,
    request_line,
    session_line,
)
from core.delivery.messages import Action, ActionName
from core.hints import Hint
from core.lifecycle import UNFINISHED_REQUEST_STATES, RequestStatus, SessionStatus
from core.services.admin import get_members
from core.services.claims import open_requests_for_mentor
from core.services.mentors import list_mentors
from core.services.requests import my_requests, usage_left
from core.services.sessions import my_sessions

REQUESTS_SHOWN = 15
SESSIONS_SHOWN = 10
QUEUE_SHOWN = 10
HISTORIES_SHOWN = 5  # a History button for the newest few requests
ASK_BUTTONS = 20  # as many mentors as the form's own mentor step offers
CANCELLABLE = frozenset({RequestStatus.OPEN, RequestStatus.CLAIMED})


def just(reply: Reply) -> Answer:
    """A list changes nothing: no surface needs redrawing."""
    return Answer(replies=(reply,), changed=frozenset())


async def _names(turn: Turn, ids: set[int | None]) -> dict[int, str]:
    found = await turn.call(get_members, [i for i in ids if i])
    return {i: m.display_name for i, m in found.items()}


@action("my", who="anyone, for themselves")
async def my(turn: Turn) -> Answer:
    me = turn.member
    requests = await turn.call(my_requests, me.id)
    sessions = await turn.call(my_sessions, me.id)
    if not requests and not sessions:
        return just(Reply.of("You have no requests or sessions yet.", Hint.REQUEST))
    ids: set[int | None] = {r.claimed_by for r in requests}
    ids |= {s.mentor_id for s in sessions} | {s.student_id for s in sessions}
    names = await _names(turn, ids)
    catalogue = turn.services.catalogue
    lines: list[str] = []
    buttons: list[Action] = []
    if requests:
        lines.append("Your requests:")
    for index, r in enumerate(requests[:REQUESTS_SHOWN]):
        lines.append(f"  {request_line(r, catalogue, names)}")
        if r.status in CANCELLABLE and r.student_id == me.id:
            buttons.append(Action(f"Cancel #{r.id}", ActionName.CANCEL_REQUEST, (str(r.id),)))
        if index < HISTORIES_SHOWN:
            buttons.append(Action(f"History #{r.id}", ActionName.HISTORY, (str(r.id),)))
        if r.status not in UNFINISHED_REQUEST_STATES and r.student_id == me.id:
            buttons.append(Action(f"Withdraw #{r.id}", ActionName.WITHDRAW, (str(r.id),)))
    if sessions:
        lines.append("Your sessions:")
    for s in sessions[-SESSIONS_SHOWN:]:
        lines.append(f"  {session_line(s, me.timezone, names, me.id)}")
        if s.status == SessionStatus.SCHEDULED:
            buttons.append(Action(f"Move {s.id}", ActionName.RESCHEDULE, (str(s.id),)))
            buttons.append(Action(f"Cancel {s.id}", ActionName.CANCEL_SESSION, (str(s.id),)))
        elif s.student_id == me.id and not s.is_disputed:
            buttons.append(Action(f"Hide {s.id}", ActionName.HIDE_SESSION, (str(s.id),)))
    return just(Reply.of("\n".join(lines), actions=tuple(buttons)))


@action("limits", who="anyone, for themselves")
async def limits(turn: Turn) -> Answer:
    return just(Reply.of(limits_text(await turn.call(usage_left, turn.member.id))))


@action("mentors", who="anyone")
async def mentors(turn: Turn) -> Answer:
    """Approved mentors with ratings, and a "Request <name>" button each (not oneself);
    every press is checked again when the form opens."""
    found = await turn.call(list_mentors)  # fresh: who is approved is what is asked
    others = [m for m in found if m.member_id != turn.member.id][:ASK_BUTTONS]
    buttons = tuple(
        Action(f"Request {m.name}", ActionName.ASK_MENTOR, (str(m.member_id),)) for m in others
    )
    return just(Reply.of(mentors_text(found), actions=buttons))


@action("queue", who="an approved mentor")
async def queue(turn: Turn) -> Answer:
    requests = await turn.call(open_requests_for_mentor, turn.member.id)
    if not requests:
        return just(Reply.of("No open requests right now."))
    shown = requests[:QUEUE_SHOWN]
    students = await turn.call(get_members, list({r.student_id for r in shown}))
    names = {i: m.display_name for i, m in students.items()}
    left = days_left_of(shown, students, turn.services.now())
    catalogue = turn.services.catalogue
    lines = [f"  {queue_line(r, catalogue, names, left[r.id])}" for r in shown]
    buttons = tuple(Action(f"Claim #{r.id}", ActionName.CLAIM, (str(r.id),)) for r in shown)
    return just(Reply.of("Open requests:\n" + "\n".join(lines), actions=buttons))
