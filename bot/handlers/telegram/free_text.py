"""Plain messages outside the form: feedback after a rating, a mentor's notes, /skip."""

from __future__ import annotations

from telegram import Update

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


@guarded
async def on_message(update: Update, context: Context) -> HandlerResult:
    assert context.user_data is not None
    message = update.effective_message
    awaiting = context.user_data.get("awaiting")
    if message is None or not awaiting:
        chat = update.effective_chat
        if chat is not None and chat.type == chat.PRIVATE:  # a group's chatter is not for us
            await reply(update, "I did not understand that. Send /help for what I can do.")
        return None
    member = await me(update, context)
    what, ref = awaiting[0], int(awaiting[1])
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


@guarded
async def skip(update: Update, context: Context) -> HandlerResult:
    assert context.user_data is not None
    context.user_data.pop("awaiting", None)
    await reply(update, "Skipped.")
    return None
