"""/become_mentor: the mentor application (``bot.conversation.forms.mentor_application``)
asked one question at a time, each answer checked as it is given.

The form is ``user_data["mentor_form"]``, which ``application.py`` reads from the database
at the start of each update and writes at its end (one row per person, as the request
form): a restart or another webhook process carries on from the same question. Plain
handlers, registered before the request form's: a message is the application's only
while it is the form in front (``_in_front``), otherwise it goes on to the request form
(and from there to an awaited answer). Only in a private chat (a group's chatter would
become the answers), and only new text messages count: an edit or a sticker gets a plain
word and the question again."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, MessageHandler, filters

from bot.conversation.forms import mentor_application as application
from bot.conversation.forms import request_form as request_runner
from bot.conversation.forms.mentor_application import FIELDS, MentorApplication, again
from bot.handlers.telegram import request_form
from bot.handlers.telegram.buttons import text_of
from bot.handlers.telegram.chat_rules import TYPE_PLEASE, is_private
from bot.handlers.telegram.common import (
    Context,
    HandlerResult,
    call,
    guarded,
    me,
    reply,
    services,
    stored_now,
)
from bot.handlers.telegram.deep_links import BECOME_MENTOR, start_filter
from core.errors import DomainError, TemporaryFailure, ValidationFailed

FORM = "mentor_form"  # the key in user_data
PAUSED = "paused"  # set when the request form was opened over it: answers are not its
AWAITING = "awaiting"  # free_text's key: an answer awaited (feedback, notes, time zone)
TO_STOP = " (/cancel to stop)"
RESUMED = "You have a mentor application in progress; let's go on."
PRIVATE_MESSAGE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
STATUS = filters.StatusUpdate.ALL  # service messages (a pin, a timer): not an answer


def _stored(context: Context) -> dict[str, Any] | None:
    found = context.user_data.get(FORM) if context.user_data is not None else None
    return found if isinstance(found, dict) else None


def _keep(context: Context, form: MentorApplication | None) -> None:
    if context.user_data is None:
        return
    if form is None:
        context.user_data.pop(FORM, None)
    else:
        context.user_data[FORM] = form.to_dict()


def _in_front(update: Update, context: Context) -> MentorApplication | None:
    """The application, when a message is its answer: open, in a private chat, with no
    request form opened over it (that pauses it) and no answer awaited since it was
    opened (feedback after a Rate button: that answer comes first)."""
    stored = _stored(context)
    if stored is None or stored.get(PAUSED) or not is_private(update) or context.user_data is None:
        return None
    if context.user_data.get(AWAITING):
        return None
    request = request_runner.load(context.user_data.get(request_form.FORM))
    if request is not None and not request.paused:
        stored[PAUSED] = True  # /request came after it: /become_mentor resumes it
        return None
    return MentorApplication.from_dict(stored)


@guarded
async def start(update: Update, context: Context) -> HandlerResult:
    """The first question, or the current one of an application in progress. A question
    awaited before (the time zone after /start) is dropped: the person moved on."""
    await me(update, context)
    if context.user_data is not None:
        context.user_data.pop(AWAITING, None)
    stored = _stored(context)
    form = MentorApplication.from_dict(stored)
    _keep(context, form)
    if not await _stored_or_told(update, context):
        return None
    step = form.current or FIELDS[-1]
    lead = f"{RESUMED}\n" if stored is not None and form.position else ""
    await reply(update, lead + step.prompt + TO_STOP)
    return None


async def _stored_or_told(update: Update, context: Context) -> bool:
    """The application's new step stored before it is asked; if it cannot be, the person
    is told so and asked again what they last saw (see ``form_state.show``)."""
    if await stored_now(update, context):
        return True
    stored = _stored(context)
    step = MentorApplication.from_dict(stored).current if stored is not None else None
    asked = f"\n\n{step.prompt}" if step is not None else ""
    await reply(update, TemporaryFailure.user_message + asked)
    return False


@guarded
async def on_text(update: Update, context: Context) -> HandlerResult:
    """The answer to the current question: refused with the reason and asked again, or
    kept and the next question asked; after the last one, the application is sent."""
    form = _in_front(update, context)
    if form is None:
        return await request_form.on_text(update, context)
    message = update.effective_message
    text = (message.text or "") if message is not None else ""
    step = form.current or FIELDS[-1]
    try:
        following = application.answer(form, text, services(context))
    except ValidationFailed as failed:
        await reply(update, again(step, failed))
        return None
    _keep(context, form)
    if following is not None:
        if await _stored_or_told(update, context):
            await reply(update, following.prompt)
        return None
    member = await me(update, context)
    try:
        profile = await call(context, application.submit, member.id, form)
    except DomainError as exc:  # the form now asks again what was refused
        _keep(context, form)
        await reply(update, again(form.current or FIELDS[-1], exc))
        return None
    _keep(context, None)
    await reply(update, text_of(application.done(profile)))
    return None


async def on_non_text(update: Update, context: Context) -> HandlerResult:
    """A sticker, photo, voice message… instead of the answer: the question again."""
    form = _in_front(update, context)
    if form is None:
        return await request_form.on_non_text(update, context)
    step = form.current or FIELDS[-1]
    await reply(update, f"{TYPE_PLEASE} (or send /back or /cancel).\n\n{step.prompt}")
    return None


async def back(update: Update, context: Context) -> HandlerResult:
    """/back: the previous question again; its answer is given anew."""
    form = _in_front(update, context)
    if form is None:
        return await request_form.back(update, context)
    step = application.back(form)
    _keep(context, form)
    if await _stored_or_told(update, context):
        await reply(update, step.prompt)
    return None


async def cancel(update: Update, context: Context) -> HandlerResult:
    if _in_front(update, context) is None:
        return await request_form.cancel(update, context)
    _keep(context, None)
    await reply(update, "Stopped. Nothing was saved.")
    return None


def handlers() -> list[BaseHandler[Update, Context, HandlerResult]]:
    """Before the request form's own: what is not the application's goes on to it."""
    return [
        CommandHandler("become_mentor", start, filters.ChatType.PRIVATE),
        CommandHandler("start", start, start_filter(BECOME_MENTOR)),
        CommandHandler("cancel", cancel),
        CommandHandler("back", back),
        MessageHandler(PRIVATE_MESSAGE & filters.TEXT & ~filters.COMMAND, on_text),
        MessageHandler(PRIVATE_MESSAGE & ~filters.TEXT & ~STATUS, on_non_text),
    ]
