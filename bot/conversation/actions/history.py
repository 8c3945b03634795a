"""A request's history, for its student, its mentor and admins."""

from __future__ import annotations

from bot.conversation.replies import Answer, Part, Reply, UserText
from bot.conversation.turn import Turn
from bot.conversation.vocabulary import Arg, action
from core.delivery.messages import ActionName
from core.events import EntityKind, TransitionEvent
from core.services.history import History, request_history
from core.timefmt import local_time


def _line(event: TransitionEvent, history: History, zone: str) -> tuple[Part, ...]:
    what = "session" if event.entity == EntityKind.SESSION else "request"
    moved = (event.from_status or "new").lower() + " → " + event.to_status.lower()
    who = history.names.get(event.actor_id, "someone") if event.actor_id else "the bot"
    parts: tuple[Part, ...] = (f"  {local_time(event.at, zone)}: {what} {moved}, by {who}",)
    if event.reason:
        parts += (" (", UserText(event.reason), ")")
    return (*parts, "\n")


@action(
    ActionName.HISTORY,
    Arg.ID,
    who="the request's student, its mentor, or an admin",
    usage="REQUEST_ID",
)
async def history(turn: Turn, request_id: int) -> Answer:
    found = await turn.call(request_history, turn.member.id, request_id)
    parts: list[Part] = [f"History of #{found.request_id} ", UserText(found.title), ":\n"]
    for event in found.events:
        parts += _line(event, found, turn.member.timezone)
    if not found.events:
        parts.append("  nothing recorded yet\n")
    return Answer(replies=(Reply(tuple(parts)),), changed=frozenset())
