"""Builds the python-telegram-bot Application: handlers, persistence, error handling."""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any

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

from bot.handlers.telegram import buttons, chat_rules, commands, free_text, start
from bot.handlers.telegram.common import Context, answer, reply
from bot.handlers.telegram.mentor_form import mentor_conversation
from bot.handlers.telegram.persistence import (
    DatabasePersistence,
    conversation_key,
    user_key,
)
from bot.handlers.telegram.request_form import request_conversation
from bot.handlers.telegram.update_processor import PerPersonUpdateProcessor
from core.services.context import ServiceContext
from db.frontend_state import FrontEndStore

logger = logging.getLogger(__name__)

# Not "nothing was changed": the error may come after a change was stored (a reply that
# failed), and a person who believes otherwise would do it a second time.
SORRY = (
    "Sorry, something went wrong on our side. /my shows whether your last action went "
    "through; if not, please try again."
)


def _persistence(context: Context) -> DatabasePersistence:
    persistence = context.application.persistence
    assert isinstance(persistence, DatabasePersistence)
    return persistence


def _conversations(context: Context) -> dict[str, Any]:
    """Each persistent ConversationHandler's states, by its name. python-telegram-bot keeps
    them privately; reading them here lets one update's state be read and written on
    its own, rather than through the application-wide (and serialised) flush."""
    found: dict[str, Any] = getattr(context.application, "_conversation_handler_conversations", {})
    return found


def _conversation_rows(update: Update, context: Context) -> dict[str, tuple[str, tuple[int, int]]]:
    """The stored rows of this person's conversations: row key -> (name, conversation key)."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return {}
    key = (chat.id, user.id)
    return {conversation_key(name, key): (name, key) for name in _conversations(context)}


async def handle_once(update: Update, context: Context) -> None:
    """A repeated update (Telegram retries, a replayed webhook) has no second effect; a
    first one starts from the person's stored form and conversation state.

    Both happen in one round trip (``DatabasePersistence.start_update``). The stored copy
    wins over this process's memory: another webhook process may have moved the
    conversation on since, or this process's last write may have failed."""
    user = update.effective_user
    rows = _conversation_rows(update, context)
    keys = ((user_key(user.id),) if user is not None else ()) + tuple(rows)
    found = await _persistence(context).start_update(f"tg:update:{update.update_id}", keys)
    if found is None:
        raise ApplicationHandlerStop
    if user is not None and context.user_data is not None:
        context.user_data.clear()
        context.user_data.update(found[user_key(user.id)] or {})
    conversations = _conversations(context)
    for row_key, (name, key) in rows.items():
        row = found[row_key]
        if row is None:
            conversations[name].data.pop(key, None)
        else:
            conversations[name].update_no_track({key: row["state"]})


async def save_state(update: Update, context: Context) -> None:
    """Write this person's form and conversation states now, before the update counts as
    handled: python-telegram-bot's own flush runs every 60 s, and ``update_persistence``
    writes everyone's data under one lock, which turns concurrent updates into a queue.
    Concurrent updates' writes are committed together (``bot.state_batcher``); a failed
    write reaches the error handler with this update, so the person is told."""
    user = update.effective_user
    if user is None or context.user_data is None:
        return
    persistence = _persistence(context)
    conversations = _conversations(context)
    writes = [persistence.update_user_data(user.id, context.user_data)]
    for name, key in _conversation_rows(update, context).values():
        state = conversations[name].data.get(key)
        if state is None or isinstance(state, int | str):  # not a pending (non-blocking) state
            writes.append(persistence.update_conversation(name, key, state))
    await asyncio.gather(*writes)


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
    concurrency: int = 16,
) -> Application:  # type: ignore[type-arg]
    """``concurrency`` updates of different people are handled at once (one person's in
    order); 1 handles one update at a time."""
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
        .concurrent_updates(PerPersonUpdateProcessor(concurrency))
        .build()
    )
    application.bot_data.update(services=services, store=store_, admins=admins)
    # channel posts are not for us: stopped before any state is read or written
    application.add_handler(
        MessageHandler(filters.UpdateType.CHANNEL_POSTS, chat_rules.channel_post), group=-2
    )
    application.add_handler(TypeHandler(Update, handle_once), group=-1)
    application.add_handlers(
        [
            # first: an edit is never an answer; a group gets pointers, never forms
            MessageHandler(filters.UpdateType.EDITED, chat_rules.edited),
            CommandHandler(
                chat_rules.PERSONAL_COMMANDS,
                chat_rules.personal_command_in_group,
                filters.UpdateType.MESSAGE & ~filters.ChatType.PRIVATE,
            ),
            request_conversation(),
            mentor_conversation(),
            CommandHandler("start", start.start),
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
            CommandHandler("cancel", free_text.cancel),  # a form's own /cancel comes first
            CommandHandler("back", free_text.back),
            CallbackQueryHandler(buttons.on_action, pattern=r"^a:"),
            CallbackQueryHandler(buttons.on_slot, pattern=r"^[sr]:"),
            CallbackQueryHandler(buttons.on_timezone, pattern=r"^tz:"),
            CallbackQueryHandler(buttons.on_window, pattern=r"^w:"),
            CallbackQueryHandler(stale_button),
            MessageHandler(filters.TEXT & ~filters.COMMAND, free_text.on_message),
            MessageHandler(
                filters.ChatType.PRIVATE & ~filters.TEXT & ~filters.StatusUpdate.ALL,
                free_text.on_non_text,
            ),
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
