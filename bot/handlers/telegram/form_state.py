"""The request form's state in ``user_data`` and its answers sent the Telegram way: the
parts of the /request handlers (``request_form``) that are not about which update is which.
"""

from __future__ import annotations

from typing import Any

from telegram import Update

from bot.conversation.forms.request_form import Shown, Wording, again
from bot.conversation.replies import Answer
from bot.conversation.turn import Turn
from bot.handlers.telegram.buttons import text_of
from bot.handlers.telegram.common import Context, answer, me, reads, reply, stored_now
from bot.handlers.telegram.common import services as services_of
from bot.handlers.telegram.keyboards import form_keyboard
from core.errors import TemporaryFailure
from core.forms import StepKind

FORM = "form"  # the key in user_data
# What the ConversationHandler form kept beside it: read once (``state_of``), then dropped.
OLD_KEYS = ("mentor_choices", "edit_id", "month", "tags", "zone")
WORDING = Wording(
    how={
        StepKind.TEXT: " (type your answer)",
        StepKind.DATE: " Pick a day, or type it (e.g. 2026-12-01, tomorrow, +3).",
        StepKind.TAGS: " Tap to pick, type your own, then Done.",
        StepKind.HOURS: " Tap to pick or unpick, then Done.",
    },
    pick_one="Please tap one of the buttons.",
)


def state_of(context: Context) -> dict[str, Any] | None:
    user_data = context.user_data or {}
    found = user_data.get(FORM)
    if isinstance(found, dict) and "draft" in found:  # stored by the ConversationHandler
        mentors = user_data.get("mentor_choices") or []
        return {"form": found, "mentors": mentors, "edit_id": user_data.get("edit_id")}
    return found if isinstance(found, dict) else None


def keep(context: Context, state: dict[str, Any] | None) -> None:
    if context.user_data is None:
        return
    for key in OLD_KEYS:
        context.user_data.pop(key, None)
    if state is None:
        context.user_data.pop(FORM, None)
    else:
        context.user_data[FORM] = state


def awaiting(context: Context) -> bool:
    return bool(context.user_data and context.user_data.get("awaiting"))


async def turn_of(update: Update, context: Context) -> Turn:
    return Turn(await me(update, context), services_of(context), reads(context))


async def show(update: Update, context: Context, shown: Shown) -> None:
    """Store the new state, then answer the press (a toast, an alert for a refusal) and
    send the step, its buttons under it (a long preview goes as several messages).

    Stored first: a step is shown only once the form is at it, so the next answer lands
    in the field it was asked for. If storing fails, the form stays at the step the
    person last saw, which is asked again after a plain "nothing was changed". (Issue
    12: the next question was shown while the stored form was still a step behind.)"""
    keep(context, shown.state)
    if await stored_now(update, context):
        await say(update, context, shown.answer)
        return
    stored = state_of(context)
    lead = TemporaryFailure.user_message
    if stored is None:
        await say(update, context, Answer(note=lead, refused=True))
        return
    asked = await again(await turn_of(update, context), stored, lead, WORDING)
    await say(update, context, asked.answer)


async def say(update: Update, context: Context, result: Answer) -> None:
    note = text_of(result.note_parts())
    if update.callback_query is not None:
        await answer(update, context, note or None, alert=result.refused)
    elif note:
        await reply(update, note)
    for message in result.replies:
        await reply(update, text_of(message), form_keyboard(message.actions))
