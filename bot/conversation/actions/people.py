"""Settings of one's own (time zone, availability windows)."""

from __future__ import annotations

from bot.conversation.replies import Answer, Reply, Surface
from bot.conversation.turn import Turn
from bot.conversation.vocabulary import BUTTON_ONLY, Arg, action
from bot.parsing import parse_window
from bot.views import windows_text
from core.delivery.messages import Action, ActionName
from core.errors import NotFound, ValidationFailed
from core.hints import Hint
from core.services.members import set_timezone
from core.services.mentors import add_availability, my_availability, remove_availability

COMMON_ZONES = (
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
    "UTC",
)
ZONE_BUTTONS = tuple(Action(z, ActionName.SET_TIMEZONE, (z,)) for z in COMMON_ZONES)
WINDOWS_CHANGED = frozenset({Surface.HOME, Surface.AVAILABILITY})


@action("timezone", Arg.TEXT, who="anyone, for themselves", usage="[ZONE]")
async def timezone(turn: Turn, zone: str) -> Answer:
    """Without a zone: the current one and buttons for common ones."""
    if not zone.strip():
        shown = Reply.of(f"Your time zone is {turn.member.timezone}.", actions=ZONE_BUTTONS)
        return Answer(replies=(shown,), changed=frozenset())
    return await set_zone(turn, zone.strip())


@action(ActionName.SET_TIMEZONE, Arg.ZONE, who="anyone, for themselves", command=BUTTON_ONLY)
async def set_zone(turn: Turn, zone: str) -> Answer:
    updated = await turn.call(set_timezone, turn.member.id, zone)
    turn.reads.forget_member(turn.member)
    told = Reply.of(f"Time zone set to {updated.timezone}.", Hint.REQUEST)
    return Answer(note=f"Time zone: {updated.timezone}", replies=(told,))


@action(
    ActionName.REMOVE_WINDOW,
    Arg.ID,
    who="the mentor whose window it is",
    command=BUTTON_ONLY,  # typed as /availability remove ID
)
async def remove_window(turn: Turn, window_id: int) -> Answer:
    before = await turn.call(my_availability, turn.member.id)
    gone = next((w for w in before if w.id == window_id), None)
    if gone is None:
        raise NotFound("That availability window no longer exists.")
    await turn.call(remove_availability, turn.member.id, window_id)
    return Answer(note=f"Removed {gone.describe()}.", changed=WINDOWS_CHANGED)


@action(
    "availability",
    Arg.TEXT,
    who="an approved or applying mentor, for themselves",
    usage="[add Mon 18:00-20:00 | remove ID]",
)
async def availability(turn: Turn, words: str) -> Answer:
    """The weekly windows with a Remove button each; ``add …`` or ``remove ID`` first."""
    me = turn.member
    verb, *rest = words.split() or [""]
    note: str | None = None
    if verb == "add":
        weekday, begin, end = parse_window(rest)
        window = await turn.call(add_availability, me.id, weekday, begin, end)
        note = f"Added {window.describe()} ({me.timezone})."
    elif verb == "remove":
        if len(rest) != 1 or not rest[0].isdigit():
            raise ValidationFailed({"window": "Usage: availability remove ID"})
        removed = await remove_window(turn, int(rest[0]))
        note = str(removed.note)
    elif verb:
        raise ValidationFailed({"window": "Use add Mon 18:00-20:00 or remove ID."})
    windows = await turn.call(my_availability, me.id)
    buttons = tuple(
        Action(f"Remove {w.describe()}", ActionName.REMOVE_WINDOW, (str(w.id),)) for w in windows
    )
    shown = Reply.of(windows_text(windows, me.timezone), "\n", Hint.ADD_WINDOW, actions=buttons)
    changed = WINDOWS_CHANGED if verb else frozenset()
    return Answer(note=note, replies=(shown,), changed=changed)
