"""Offering times: a page of slots grouped by day, each in both people's zones, and the
"More times" buttons that page on (for booking a claimed request, and for moving a
session)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.conversation.replies import Answer, Reply
from bot.conversation.slot_pages import day_lines, first_name, page_of, slot_label
from bot.conversation.turn import Turn
from bot.conversation.vocabulary import BUTTON_ONLY, Arg, action
from core.delivery.messages import Action, ActionName
from core.hints import Hint
from core.services.sessions import get_session
from core.services.slot_offers import SlotOffer, offer_slots

FROM_THE_START = "1"  # "« First times": the page after the first second of 1970
MORE = {ActionName.BOOK_SLOT: ActionName.MORE_TIMES, ActionName.MOVE_SESSION: ActionName.MORE_MOVES}
NO_TIME = "No free time fits. Add availability or ask the student for more days."


async def slot_offer(
    turn: Turn,
    verb: ActionName,
    ref: int,
    request_id: int,
    current: datetime | None = None,
    after: datetime | None = None,
    found: SlotOffer | None = None,
) -> Reply:
    """A page of slot buttons, grouped by day, each in the presser's zone and the other
    person's (the service refuses whoever may not pick); ``current`` (the session's own
    time, when moving it) is not offered again; ``after``: the page after that slot;
    ``found``: the offer already read (with a claim), else it is asked for."""
    if found is None:
        found = await turn.call(offer_slots, turn.member.id, request_id)
    zone = turn.member.timezone
    slots = [s for s in found.starts if s != current]
    if not slots:
        return Reply.of(NO_TIME, Hint.AVAILABILITY)
    shown, later = page_of(slots, zone, after)
    if not shown:  # "More times" after the last one (booked meanwhile): from the start
        shown, later = page_of(slots, zone, None)
    other, other_zone = found.other_name, found.other_zone
    buttons = [
        Action(slot_label(s, zone, other, other_zone), verb, (str(ref), _epoch(s))) for s in shown
    ]
    if later:
        buttons.append(Action("More times »", MORE[verb], (str(ref), _epoch(shown[-1]))))
    if shown[0] != slots[0]:
        buttons.append(Action("« First times", MORE[verb], (str(ref), FROM_THE_START)))
    lines = [
        f"Pick a time ({zone}); after the dot, {first_name(other)}'s time ({other_zone}).",
        *day_lines(shown, zone),
    ]
    if later:
        lines.append(f"{later} more {'time' if later == 1 else 'times'}: press More times.")
    return Reply.of("\n".join(lines), actions=tuple(buttons))


def _epoch(instant: datetime) -> str:
    return str(int(instant.timestamp()))


@action(
    ActionName.MORE_TIMES,
    Arg.ID,
    Arg.EPOCH,
    who="the claiming mentor or the student",
    command=BUTTON_ONLY,
)
async def more_times(turn: Turn, request_id: int, epoch: int) -> Answer:
    after = datetime.fromtimestamp(epoch, UTC)
    offer = await slot_offer(turn, ActionName.BOOK_SLOT, request_id, request_id, after=after)
    return Answer(replies=(offer,), changed=frozenset())


@action(
    ActionName.MORE_MOVES,
    Arg.ID,
    Arg.EPOCH,
    who="the session's student or mentor",
    command=BUTTON_ONLY,
)
async def more_moves(turn: Turn, session_id: int, epoch: int) -> Answer:
    session = await turn.call(get_session, turn.member.id, session_id)
    after = datetime.fromtimestamp(epoch, UTC)
    offer = await slot_offer(
        turn, ActionName.MOVE_SESSION, session.id, session.request_id, session.scheduled_at, after
    )
    return Answer(replies=(offer,), changed=frozenset())
