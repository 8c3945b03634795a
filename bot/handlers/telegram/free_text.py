"""Plain messages outside the forms: feedback after a rating, a mentor's notes, the time
zone after /start, /skip; and what /cancel and /back mean when no form is open.

An awaited answer is the person's own (``user_data``), so only their private chat can
give it: what they say in a group is the group's chatter.
"""

from __future__ import annotations

from telegram import Update

from bot.handlers.telegram.chat_rules import TYPE_PLEASE, is_private
from bot.handlers.telegram.common import (
    Context,
    HandlerResult,
    call,
    guarded,
    me,
    reads,
    reply,
)
from core.services.members import set_timezone
from core.services.outcomes import leave_feedback, update_mentor_notes

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
    what, ref = str(awaiting[0]), int(str(awaiting[1]))
    text = message.text or ""
    if what == "timezone":
        updated = await call(context, set_timezone, member.id, text.strip())
        reads(context).forget_member(member)
        await reply(
            update, f"Time zone set to {updated.timezone}. Send /request to ask for a session."
        )
    elif what == "feedback":
        await call(context, leave_feedback, member.id, ref, text)
        await reply(update, "Thank you, your feedback is saved.")
    elif what == "notes":
        first, _, rest = text.strip().partition(" ")
        minutes = int(first) if first.isdigit() else None
        notes = rest if minutes is not None else text
        await call(
            context,
            update_mentor_notes,
            member.id,
            ref,
            mentor_notes=notes or None,
            duration_minutes=minutes,
        )
        await reply(update, "Saved. Only mentors and admins can read these notes.")
    context.user_data.pop("awaiting", None)
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
