"""The student's own request: withdraw, keep alive, post again, edit, ask a mentor."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.conversation import reasons
from bot.conversation.replies import Answer, Expect, Input
from bot.conversation.turn import Turn
from bot.conversation.vocabulary import BUTTON_ONLY, Arg, action
from core.delivery.messages import ActionName
from core.services.requests import (
    cancel_request,
    cancel_request_would_act,
    draft_for_edit,
    draft_for_mentor,
    extend_request,
    repost_request,
)
from core.timefmt import local_time

CANCEL_PROMPT = "Why are you cancelling? A mentor who claimed it will be told."


@action(
    ActionName.CANCEL_REQUEST,
    Arg.ID,
    Arg.TEXT,
    who="the request's student or an admin",
    usage="REQUEST_ID [reason]",
    command="cancel_request",  # /cancel stops a form
)
async def cancel(turn: Turn, request_id: int, reason: str) -> Answer:
    if not reason and await turn.call(cancel_request_would_act, turn.member.id, request_id):
        return reasons.ask(ActionName.CANCEL_REQUEST, request_id, CANCEL_PROMPT)
    await turn.call(cancel_request, turn.member.id, request_id, reasons.given(reason))
    return Answer(note=f"Request #{request_id} cancelled.")


@action(ActionName.EXTEND, Arg.ID, who="the request's student", usage="REQUEST_ID")
async def extend(turn: Turn, request_id: int) -> Answer:
    request = await turn.call(extend_request, turn.member.id, request_id)
    return Answer(note=f"Extended until {local_time(request.expires_at, turn.member.timezone)}.")


@action(ActionName.EXTEND_ONCE, Arg.ID, Arg.EPOCH, who="the request's student", command=BUTTON_ONLY)
async def extend_once(turn: Turn, request_id: int, shown_expiry: int) -> Answer:
    """The expiry warning's Extend: once per warning (a second press says until when)."""
    shown = datetime.fromtimestamp(shown_expiry, UTC)
    request = await turn.call(extend_request, turn.member.id, request_id, shown)
    return Answer(note=f"Extended until {local_time(request.expires_at, turn.member.timezone)}.")


@action(ActionName.REPOST, Arg.ID, who="the request's student", usage="REQUEST_ID")
async def repost(turn: Turn, request_id: int) -> Answer:
    request = await turn.call(repost_request, turn.member.id, request_id)
    return Answer(note=f"Posted again as #{request.id}.")


@action(ActionName.EDIT, Arg.ID, who="the request's student, while it is open", usage="REQUEST_ID")
async def edit(turn: Turn, request_id: int) -> Answer:
    draft = await turn.call(draft_for_edit, turn.member.id, request_id)
    expect = Expect(Input.REQUEST_FORM, request_id, values={"draft": draft})
    return Answer(expect=expect, changed=frozenset())


@action(ActionName.ASK_MENTOR, Arg.ID, who="anyone but that mentor, who must be approved")
async def ask(turn: Turn, mentor_id: int) -> Answer:
    draft = await turn.call(draft_for_mentor, turn.member.id, mentor_id)
    return Answer(expect=Expect(Input.REQUEST_FORM, values={"draft": draft}), changed=frozenset())
