"""Plain messages outside the forms: feedback after a rating, a mentor's notes, the time
zone after /start, /skip; and what /cancel and /back mean when no form is open.

An awaited answer is the person's own (``user_data``), so only their private chat can
give it: what they say in a group is the group's chatter.
"""

from __future__ import annotations

from telegram import Update

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


async def skip(update: Update, context: Context) -> None:
    """Leave an awaited answer unsaid (feedback, notes, the time zone)."""
    if not is_private(update) or context.user_data is None:
        await reply(update, "There is nothing to skip here.")
        return
    context.user_data.pop("awaiting", None)
    await reply(update, "Skipped.")


async def cancel(update: Update, context: Context) -> None:
    """/cancel with no form open: an awaited answer is dropped, else nothing to do."""
    if is_private(update) and context.user_data is not None and _awaiting(context):
        context.user_data.pop("awaiting", None)
        await reply(update, "Stopped. Nothing was saved.")
        return
    await reply(update, "There is nothing to cancel.")


async def back(update: Update, context: Context) -> None:
    """/back with no form open (a form's own /back is its fallback)."""
    await reply(update, "There is nothing to go back to.")
