"""A request addressed to one mentor: that mentor declines it, saying why.

Like a release, a button carries no reason, so the press asks for one first
(``bot.conversation.reasons``); the student is told the reason with the outcome: the
request opened to every mentor, or closed with the offer to post it again.
"""

from __future__ import annotations

from bot.conversation import reasons
from bot.conversation.replies import Answer
from bot.conversation.turn import Turn
from bot.conversation.vocabulary import Arg, action
from core.delivery.messages import ActionName
from core.lifecycle import RequestStatus
from core.services.directed import decline_request, decline_would_act

DECLINE_PROMPT = "Why can't you take it? The student will be told."


@action(
    ActionName.DECLINE,
    Arg.ID,
    Arg.TEXT,
    who="the mentor the request was addressed to",
    usage="REQUEST_ID [reason]",
)
async def decline(turn: Turn, request_id: int, reason: str) -> Answer:
    if not reason and await turn.call(decline_would_act, turn.member.id, request_id):
        return reasons.ask(ActionName.DECLINE, request_id, DECLINE_PROMPT)
    done = await turn.call(decline_request, turn.member.id, request_id, reasons.given(reason))
    if done.status == RequestStatus.OPEN:
        return Answer(note=f"Declined: #{done.id} is now open to every mentor.")
    return Answer(note=f"Declined: #{done.id} is closed; the student can post it again.")
