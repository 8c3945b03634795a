"""Button presses outside the form: every press is authorized again by the services.

Callback data is never trusted: a stale or forged button names an id that the service
then refuses with a plain message (shown as an alert), and an unknown shape gets a
polite 'this button no longer works'.
"""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import InlineKeyboardMarkup, Update
from telegram.error import Forbidden

from bot.handlers.telegram.common import (
    Context,
    HandlerResult,
    answer,
    call,
    guarded,
    me,
    patiently,
    reads,
    reply,
)
from bot.handlers.telegram.keyboards import button, rows
from bot.handlers.telegram.sender import fit
from core.members import Member
from core.services.claims import claim_request, release_request
from core.services.members import set_timezone
from core.services.mentors import decide_mentor, remove_availability
from core.services.outcomes import rate_session, record_outcome
from core.services.requests import cancel_request, extend_request, repost_request
from core.services.sessions import (
    available_slots,
    cancel_session,
    get_session,
    reschedule_session,
    schedule_session,
)
from core.sessions import Outcome
from core.timefmt import local_time, short_time

STALE = "This button no longer works. Send /help for what you can do."
MAX_ID_DIGITS = 18  # ids are 64-bit in the database; a longer number is forged
OUTCOMES = frozenset(o.value for o in Outcome)


def _ints(parts: list[str]) -> list[int]:
    """The numeric ids in callback data; anything else (forged, garbled) is dropped."""
    return [int(p) for p in parts if p.isdigit() and len(p) <= MAX_ID_DIGITS]


SlotOffer = tuple[str, InlineKeyboardMarkup | None]


async def _slot_offer(
    context: Context,
    member: Member,
    verb: str,
    ref: int,
    request_id: int,
    current: datetime | None = None,
) -> SlotOffer:
    """Slot buttons in the person's own zone; authorized (and refused) by the service
    before the press is answered, so a refusal is the press's answer. ``current`` (the
    session's own time, when moving it) is not offered as a new time."""
    found = await call(context, available_slots, member.id, request_id)
    slots = [s for s in found if s != current][:12]
    if not slots:
        text = (
            "No free time fits. Add availability (/availability) or ask the student for more days."
        )
        return text, None
    buttons = [button(short_time(s, member.timezone), verb, ref, int(s.timestamp())) for s in slots]
    return f"Pick a time ({member.timezone}):", InlineKeyboardMarkup(rows(buttons, 2))


async def _send_offer(update: Update, context: Context, offer: SlotOffer) -> None:
    """To the person's private chat with the bot: a Claim pressed in the mentors' group
    must not post one mentor's slot buttons in the group."""
    user = update.effective_user
    assert user is not None
    text, keyboard = offer
    try:
        await patiently(lambda: context.bot.send_message(user.id, fit(text), reply_markup=keyboard))
    except Forbidden:  # never opened a private chat with the bot
        await reply(
            update,
            f"{user.first_name}, please open a private chat with me and send /start; "
            "then /my shows the request and its time buttons.",
        )


@guarded
async def on_action(update: Update, context: Context) -> HandlerResult:
    """``a:<action>:<ids…>`` from notification and list buttons."""
    query = update.callback_query
    assert query is not None
    parts = (query.data or "").split(":")
    name, ids = (parts[1] if len(parts) > 1 else ""), _ints(parts[2:])
    member = await me(update, context)
    if name == "claim" and ids:
        request = await call(context, claim_request, member.id, ids[0])
        offer = await _slot_offer(context, member, "s", request.id, request.id)
        await answer(update, context, f"You claimed #{request.id}. Pick a time in our chat.")
        await _send_offer(update, context, offer)
    elif name == "slots" and ids:
        offer = await _slot_offer(context, member, "s", ids[0], ids[0])
        await answer(update, context)
        await _send_offer(update, context, offer)
    elif name == "release" and ids:
        await call(context, release_request, member.id, ids[0])
        await answer(update, context, "Released: it is back in the queue.")
    elif name == "reschedule" and ids:
        session = await call(context, get_session, member.id, ids[0])
        offer = await _slot_offer(
            context, member, "r", session.id, session.request_id, session.scheduled_at
        )
        await answer(update, context)
        await _send_offer(update, context, offer)
    elif name == "cancel" and ids:
        await call(context, cancel_request, member.id, ids[0])
        await answer(update, context, f"Request #{ids[0]} cancelled.")
    elif name == "cancel_session" and ids:
        await call(context, cancel_session, member.id, ids[0])
        await answer(update, context, "Session cancelled; the other person has been told.")
    elif name == "extend" and ids:
        request = await call(context, extend_request, member.id, ids[0])
        until = local_time(request.expires_at, member.timezone)
        await answer(update, context, f"Extended until {until}.")
    elif name == "repost" and ids:
        request = await call(context, repost_request, member.id, ids[0])
        await answer(update, context, f"Posted again as #{request.id}.")
    elif name == "outcome" and ids and len(parts) > 3 and parts[3] in OUTCOMES:
        session = await call(context, record_outcome, member.id, ids[0], Outcome(parts[3]))
        await answer(update, context, f"Recorded: {session.status.value.lower()}. Thank you!")
    elif name == "rate" and len(ids) == 2:
        await call(context, rate_session, member.id, ids[0], ids[1])
        await answer(update, context, "Thank you for rating!")
        _await_text(context, "feedback", ids[0])
        await reply(
            update, "Anything you'd like to tell your mentor? Send it as a message, or /skip."
        )
    elif name == "notes" and ids:
        session = await call(context, get_session, member.id, ids[0])
        if session.mentor_id != member.id:
            await answer(
                update, context, "Only the mentor of this session writes its notes.", alert=True
            )
            return None
        await answer(update, context)
        _await_text(context, "notes", ids[0])
        await reply(
            update,
            "Send the real duration in minutes and your private notes, e.g.\n55 Strong on SQL.",
        )
    elif name in ("approve", "reject") and ids:
        profile = await call(context, decide_mentor, member.id, ids[0], name == "approve")
        reads(context).forget_mentors()  # the form's picker changes
        await answer(update, context, f"Mentor {profile.member_id} {profile.status.value.lower()}.")
    else:
        await answer(update, context, STALE, alert=True)
    return None


def _await_text(context: Context, what: str, ref: int) -> None:
    assert context.user_data is not None
    context.user_data["awaiting"] = [what, ref]


@guarded
async def on_slot(update: Update, context: Context) -> HandlerResult:
    """``s:<request>:<epoch>`` books; ``r:<session>:<epoch>`` moves."""
    query = update.callback_query
    assert query is not None
    verb, _, rest = (query.data or "").partition(":")
    ids = _ints(rest.split(":"))
    if len(ids) != 2 or len(rest.split(":")) != 2 or not 0 < ids[1] < 2**33:
        await answer(update, context, STALE, alert=True)
        return None
    member = await me(update, context)
    start = datetime.fromtimestamp(ids[1], UTC)
    if verb == "s":
        session = await call(context, schedule_session, member.id, ids[0], start)
    else:
        session = await call(context, reschedule_session, member.id, ids[0], start)
    await answer(update, context, "Booked!")
    await reply(
        update,
        f"Booked for {local_time(session.scheduled_at, member.timezone)}. "
        "Both of you get the link and an invite.",
    )
    return None


@guarded
async def on_timezone(update: Update, context: Context) -> HandlerResult:
    query = update.callback_query
    assert query is not None
    zone = (query.data or "").partition(":")[2]
    member = await me(update, context)
    updated = await call(context, set_timezone, member.id, zone)
    reads(context).forget_member(member)
    assert context.user_data is not None
    if context.user_data.get("awaiting", [None])[0] == "timezone":
        context.user_data.pop("awaiting")
    if "zone" in context.user_data:  # a form in progress counts days in the new zone
        context.user_data["zone"] = updated.timezone
    await answer(update, context, f"Time zone: {updated.timezone}")
    await reply(update, f"Time zone set to {updated.timezone}. Send /request to ask for a session.")
    return None


@guarded
async def on_window(update: Update, context: Context) -> HandlerResult:
    query = update.callback_query
    assert query is not None
    parts = (query.data or "").split(":")
    ids = _ints(parts[2:])
    if parts[1:2] != ["rm"] or not ids:
        await answer(update, context, STALE, alert=True)
        return None
    member = await me(update, context)
    await call(context, remove_availability, member.id, ids[0])
    await answer(update, context, "Removed.")
    return None
