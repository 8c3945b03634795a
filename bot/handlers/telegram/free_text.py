"""Plain messages outside the forms: feedback after a rating, a mentor's notes, the time
zone after /start, /skip; and what /cancel and /back mean when no form is open.

An awaited answer is the person's own (``user_data``), so only their private chat can
give it: what they say in a group is the group's chatter.
"""

from __future__ import annotations

from telegram import Update

from bot.conversation import reasons
from bot.conversation.inputs import give
from bot.conversation.turn import Turn
from bot.handlers.telegram.buttons import render
from bot.handlers.telegram.chat_rules import TYPE_PLEASE, is_private
from bot.handlers.telegram.common import (
    Context,
    HandlerResult,
    guarded,
    me,
    reads,
    reply,
    services,
)

STOPPED_REASON = "Stopped: nothing was cancelled or released."
NOT_UNDERSTOOD = "I did not understand that. Send /help for what I can do."


def _awaiting(context: Context) -> list[object] | None:
    found = context.user_data.get("awaiting") if context.user_data is not None else None
    return found if isinstance(found, list) and len(found) == 2 else None


@guarded
async def on_message(update: Update, context: Context) -> HandlerResult:
    message = update.effective_message
    if not is_private(update) or context.user_data is None:  # a group's chatter is not for us
        return None
    awaiting = _awaiting(context)
    if message is None or awaiting is None:
        await reply(update, NOT_UNDERSTOOD)
        return None
    member = await me(update, context)
    turn = Turn(member, services(context), reads(context))
    result = await give(turn, str(awaiting[0]), int(str(awaiting[1])), message.text or "")
    context.user_data.pop("awaiting", None)
    await render(update, context, result)
    return None


async def on_non_text(update: Update, context: Context) -> None:
    """A sticker, photo, voice message… in a private chat outside the forms."""
    if _awaiting(context) is not None:
        await reply(update, f"{TYPE_PLEASE} (or send /skip).")
    else:
        await reply(update, NOT_UNDERSTOOD)


@guarded
async def skip(update: Update, context: Context) -> HandlerResult:
    """Leave an awaited answer unsaid (feedback, notes, the time zone); an awaited reason
    is given as none, and the cancel or release goes ahead."""
    if not is_private(update) or context.user_data is None:
        await reply(update, "There is nothing to skip here.")
        return None
    awaiting = _awaiting(context)
    if awaiting is not None and str(awaiting[0]).startswith(reasons.PREFIX):
        member = await me(update, context)
        turn = Turn(member, services(context), reads(context))
        result = await give(turn, str(awaiting[0]), int(str(awaiting[1])), reasons.NO_REASON)
        context.user_data.pop("awaiting", None)
        await render(update, context, result)
        return None
    context.user_data.pop("awaiting", None)
    await reply(update, "Skipped.")
    return None


async def cancel(update: Update, context: Context) -> None:
    """/cancel with no form open: an awaited answer is dropped, else nothing to do."""
    awaiting = _awaiting(context) if is_private(update) else None
    if context.user_data is not None and awaiting is not None:
        context.user_data.pop("awaiting", None)
        for_reason = str(awaiting[0]).startswith(reasons.PREFIX)
        await reply(update, STOPPED_REASON if for_reason else "Stopped. Nothing was saved.")
        return
    await reply(update, "There is nothing to cancel.")


async def back(update: Update, context: Context) -> None:
    """/back with no form open (a form's own /back is its fallback)."""
    await reply(update, "There is nothing to go back to.")
