"""Claiming a request and picking its time: the mentor's side of a request."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from bot.conversation import reasons
from bot.conversation.actions.times import slot_offer
from bot.conversation.replies import Answer, Reply
from bot.conversation.turn import Turn
from bot.conversation.vocabulary import BUTTON_ONLY, Arg, action
from core.delivery.messages import Action, ActionName
from core.lifecycle import RequestStatus
from core.services.claims import release_request, release_would_act
from core.services.moves import keep_move_reason, move_would_act
from core.services.sessions import reschedule_session, schedule_session
from core.services.slot_offers import claim_with_offer
from core.timefmt import local_time

logger = logging.getLogger(__name__)
BOOKED = "Booked!"
RELEASE_PROMPT = "Why are you releasing it? The student will be told."
MOVE_PROMPT = "Why are you moving it? The other person will be told."


@action(
    ActionName.CLAIM,
    Arg.ID,
    who="an approved mentor (the preferred one, while asked)",
    usage="REQUEST_ID",
)
async def claim(turn: Turn, request_id: int) -> Answer:
    claimed = await turn.call(claim_with_offer, turn.member.id, request_id)
    request = claimed.request
    if request.status != RequestStatus.CLAIMED:  # a second press after booking: no times
        return Answer(note=f"#{request.id} is already yours and booked.", changed=frozenset())
    again = (ActionName.PICK_SLOT.value, (str(request.id),))
    note = f"You claimed #{request.id}. Pick a time in our private chat."
    try:  # the times listed with the claim, or (a second press, none listed) asked now
        offer = await slot_offer(
            turn, ActionName.BOOK_SLOT, request.id, request.id, found=claimed.offer
        )
    except Exception:  # the claim stands: never answer it with an apology or "not changed"
        logger.warning("claimed #%s, but its times could not be listed", request.id, exc_info=True)
        retry = Action("Show the times", ActionName.PICK_SLOT, (str(request.id),))
        offer = Reply.of(
            f"You claimed #{request.id}, but I could not list its times just now. "
            "Press the button to try again.",
            actions=(retry,),
        )
    return Answer(note=note, replies=(offer,), again=again)


@action(ActionName.PICK_SLOT, Arg.ID, who="the claiming mentor or the student", usage="REQUEST_ID")
async def slots(turn: Turn, request_id: int) -> Answer:
    offer = await slot_offer(turn, ActionName.BOOK_SLOT, request_id, request_id)
    again = (ActionName.PICK_SLOT.value, (str(request_id),))
    return Answer(replies=(offer,), changed=frozenset(), again=again)


@action(
    ActionName.RELEASE,
    Arg.ID,
    Arg.TEXT,
    who="the claiming mentor or an admin",
    usage="REQUEST_ID [reason]",
)
async def release(turn: Turn, request_id: int, reason: str) -> Answer:
    if not reason and await turn.call(release_would_act, turn.member.id, request_id):
        return reasons.ask(ActionName.RELEASE, request_id, RELEASE_PROMPT)
    await turn.call(release_request, turn.member.id, request_id, reasons.given(reason))
    return Answer(note="Released: it is back in the queue.")


@action(
    ActionName.RESCHEDULE,
    Arg.ID,
    Arg.TEXT,
    who="the session's student or mentor",
    usage="SESSION_ID [reason]",
)
async def reschedule(turn: Turn, session_id: int, reason: str) -> Answer:
    """Why first (kept until the new time is picked, then told with the move), then the
    times."""
    if not reason and await turn.call(move_would_act, turn.member.id, session_id):
        return reasons.ask(ActionName.RESCHEDULE, session_id, MOVE_PROMPT)
    session = await turn.call(keep_move_reason, turn.member.id, session_id, reasons.given(reason))
    offer = await slot_offer(
        turn, ActionName.MOVE_SESSION, session.id, session.request_id, session.scheduled_at
    )
    again = (ActionName.RESCHEDULE.value, (str(session.id),))  # asks why again
    return Answer(replies=(offer,), changed=frozenset(), again=again)


def _booked(session_start: datetime, zone: str) -> Answer:
    text = f"Booked for {local_time(session_start, zone)}. Both of you get the link and an invite."
    return Answer(note=BOOKED, replies=(Reply.of(text),))


@action(ActionName.BOOK_SLOT, Arg.ID, Arg.EPOCH, who="the claiming mentor", command=BUTTON_ONLY)
async def book(turn: Turn, request_id: int, epoch: int) -> Answer:
    start = datetime.fromtimestamp(epoch, UTC)
    session = await turn.call(schedule_session, turn.member.id, request_id, start)
    return _booked(session.scheduled_at, turn.member.timezone)


@action(
    ActionName.MOVE_SESSION,
    Arg.ID,
    Arg.EPOCH,
    who="the session's student or mentor",
    command=BUTTON_ONLY,
)
async def move(turn: Turn, session_id: int, epoch: int) -> Answer:
    start = datetime.fromtimestamp(epoch, UTC)
    session = await turn.call(reschedule_session, turn.member.id, session_id, start)
    return _booked(session.scheduled_at, turn.member.timezone)
