"""Builds the python-telegram-bot Application: handlers, persistence, error handling."""

from __future__ import annotations

import asyncio
import logging
import os

from telegram import Update
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.handlers.telegram import buttons, commands, free_text
from bot.handlers.telegram.common import Context, answer, forget_member, reply, store
from bot.handlers.telegram.mentor_form import mentor_conversation
from bot.handlers.telegram.persistence import DatabasePersistence
from bot.handlers.telegram.request_form import request_conversation
from core.services.context import ServiceContext
from db.frontend_state import FrontEndStore

logger = logging.getLogger(__name__)

SORRY = "Sorry, something went wrong on our side. Nothing was changed; please try again."


async def handle_once(update: Update, context: Context) -> None:
    """A repeated update (Telegram retries, a replayed webhook) has no second effect."""
    first = await asyncio.to_thread(store(context).first_time, f"tg:update:{update.update_id}")
    if not first:
        raise ApplicationHandlerStop


async def save_state(update: Update, context: Context) -> None:
    """Write conversation state now, not at the next 60-second persistence interval.

    python-telegram-bot marks an update's user for persistence only after every handler
    group has run, i.e. after this one: without marking it here, the ``user_data`` this
    update changed (the form itself) would wait for the next update of anyone, and the
    next update of the same person would start from the stale stored copy."""
    forget_member(update, context)
    user = update.effective_user
    if user is not None:
        context.application.mark_data_for_update_persistence(user_ids=user.id)
    await context.application.update_persistence()


async def on_error(update: object, context: Context) -> None:
    logger.error("unhandled error in a Telegram handler", exc_info=context.error)
    if not isinstance(update, Update):
        return
    try:
        await answer(update, context, SORRY, alert=True)
    except Exception:  # the apology itself failed (network); nothing more to do
        logger.warning("could not tell the user about the error", exc_info=True)


def build_application(
    services: ServiceContext,
    store_: FrontEndStore,
    token: str,
    *,
    api_url: str = "https://api.telegram.org",
    admins: frozenset[str] = frozenset(),
) -> Application:  # type: ignore[type-arg]
    # Opt in to PTB's future time periods (timedelta): otherwise every 429 warns from inside
    # RetryAfter's own constructor (PTB 22.2+), and where warnings are errors (the test
    # suite) the warning replaces the RetryAfter, so the sender never sees a 429.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    application = (
        Application.builder()
        .token(token)
        .base_url(f"{api_url.rstrip('/')}/bot")
        .base_file_url(f"{api_url.rstrip('/')}/file/bot")
        .persistence(DatabasePersistence(store_))
        .build()
    )
    application.bot_data.update(services=services, store=store_, admins=admins)
    application.add_handler(TypeHandler(Update, handle_once), group=-1)
    application.add_handlers(
        [
            request_conversation(),
            mentor_conversation(),
            CommandHandler("start", commands.start),
            CommandHandler("help", commands.help_command),
            CommandHandler("timezone", commands.timezone),
            CommandHandler("my", commands.my),
            CommandHandler("limits", commands.limits),
            CommandHandler("mentors", commands.mentors),
            CommandHandler("queue", commands.queue),
            CommandHandler("availability", commands.availability),
            CommandHandler("admin", commands.admin),
            CommandHandler("assign", commands.assign),
            CommandHandler("skip", free_text.skip),
            CallbackQueryHandler(buttons.on_action, pattern=r"^a:"),
            CallbackQueryHandler(buttons.on_slot, pattern=r"^[sr]:"),
            CallbackQueryHandler(buttons.on_timezone, pattern=r"^tz:"),
            CallbackQueryHandler(buttons.on_window, pattern=r"^w:"),
            CallbackQueryHandler(stale_button),
            MessageHandler(filters.TEXT & ~filters.COMMAND, free_text.on_message),
            MessageHandler(filters.COMMAND, unknown_command),
        ]
    )
    application.add_handler(TypeHandler(Update, save_state), group=99)
    application.add_error_handler(on_error)
    return application


async def stale_button(update: Update, context: Context) -> None:
    """A button from an old form or an unknown shape: a plain answer, not an error."""
    if update.callback_query is not None:
        await answer(
            update,
            context,
            "This button no longer works. Send /help for what you can do.",
            alert=True,
        )


async def unknown_command(update: Update, context: Context) -> None:
    await reply(update, "I do not know that command. Send /help for what I can do.")
