"""Builds the python-telegram-bot Application: handlers, persistence, error handling."""

from __future__ import annotations

import logging
import os

from telegram import Update
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot.conversation.vocabulary import typed_actions
from bot.handlers.telegram import (
    buttons,
    chat_rules,
    commands,
    free_text,
    mentor_form,
    request_form,
    start,
)
from bot.handlers.telegram.common import Context, answer, reply
from bot.handlers.telegram.deep_links import ASK, EDIT, REQUEST, start_filter
from bot.handlers.telegram.form_codec import FORM_PATTERN
from bot.handlers.telegram.persistence import DatabasePersistence, user_key
from bot.handlers.telegram.poison import TolerantBot
from bot.handlers.telegram.update_processor import PerPersonUpdateProcessor
from bot.ops.metrics import note_outcome
from core.services.context import ServiceContext
from db.frontend_state import FrontEndStore

logger = logging.getLogger(__name__)
PRIVATE_MESSAGE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
STATUS = filters.StatusUpdate.ALL  # service messages (a pin, a timer): not an answer

# Not "nothing was changed": the error may come after a change was stored (a reply that
# failed), and a person who believes otherwise would do it a second time.
SORRY = (
    "Sorry, something went wrong on our side. /my shows whether your last action went "
    "through; if not, please try again."
)


def _persistence(context: Context) -> DatabasePersistence:
    persistence = context.application.persistence
    if not isinstance(persistence, DatabasePersistence):
        raise TypeError("the application was built without DatabasePersistence")
    return persistence


async def handle_once(update: Update, context: Context) -> None:
    """A repeated update (Telegram retries, a replayed webhook) has no second effect; a
    first one starts from the person's stored state (their form in progress and any
    question awaited, all in ``user_data``).

    Both happen in one round trip (``DatabasePersistence.start_update``). The stored copy
    wins over this process's memory: another webhook process may have moved the form on
    since, or this process's last write may have failed."""
    user = update.effective_user
    keys = (user_key(user.id),) if user is not None else ()
    found = await _persistence(context).start_update(f"tg:update:{update.update_id}", keys)
    if found is None:
        note_outcome("repeat")
        raise ApplicationHandlerStop
    if user is not None and context.user_data is not None:
        context.user_data.clear()
        context.user_data.update(found[user_key(user.id)] or {})


async def save_state(update: Update, context: Context) -> None:
    """Write this person's state now, before the update counts as handled:
    python-telegram-bot's own flush runs every 60 s, and ``update_persistence`` writes
    everyone's data under one lock, which turns concurrent updates into a queue.
    Concurrent updates' writes are committed together (``bot.state_batcher``); a failed
    write reaches the error handler with this update, so the person is told."""
    user = update.effective_user
    if user is None or context.user_data is None:
        return
    await _persistence(context).update_user_data(user.id, context.user_data)


async def on_error(update: object, context: Context) -> None:
    note_outcome("error")
    logger.error("unhandled error in a Telegram handler", exc_info=context.error)
    if not isinstance(update, Update):
        return
    try:
        await answer(update, context, SORRY, alert=True)
    except Exception:  # the apology itself failed (network); nothing more to do
        logger.warning("could not tell the user about the error", exc_info=True)


def tolerant_bot(token: str, api_url: str) -> TolerantBot:
    """The bot PTB's builder would make (same connection pools), but one that skips an
    update it cannot read instead of fetching it again for ever (``poison``)."""
    return TolerantBot(
        token=token,
        base_url=f"{api_url.rstrip('/')}/bot",
        base_file_url=f"{api_url.rstrip('/')}/file/bot",
        request=HTTPXRequest(connection_pool_size=256),
        get_updates_request=HTTPXRequest(connection_pool_size=1),
    )


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
    persistence = DatabasePersistence(store_)
    processor = PerPersonUpdateProcessor(concurrency)
    application = (
        Application.builder()
        .bot(tolerant_bot(token, api_url))
        .persistence(persistence)
        .concurrent_updates(processor)
        .build()
    )

    def forget(user_id: int) -> None:
        # PTB's own drop_user_data would also delete the stored row; this only lets go
        # of the process's copy (its ``user_data`` is a mapping proxy over this dict)
        application._user_data.pop(user_id, None)
        persistence.forget(user_id)

    processor.forget = forget
    application.bot_data.update(services=services, store=store_, admins=admins)
    # channel posts are not for us: stopped before any state is read or written
    application.add_handler(
        MessageHandler(filters.UpdateType.CHANNEL_POSTS, chat_rules.channel_post), group=-3
    )
    application.add_handler(TypeHandler(Update, handle_once), group=-2)
    # a command typed mid-form pauses the form before the command itself runs
    application.add_handler(
        MessageHandler(PRIVATE_MESSAGE & filters.COMMAND, request_form.pause_for_command),
        group=-1,
    )
    application.add_handlers(
        [
            # first: an edit is never an answer; a group gets pointers, never forms
            MessageHandler(filters.UpdateType.EDITED, chat_rules.edited),
            CommandHandler(
                chat_rules.PERSONAL_COMMANDS,
                chat_rules.personal_command_in_group,
                filters.UpdateType.MESSAGE & ~filters.ChatType.PRIVATE,
            ),
            *_request_form_entries(),
            *mentor_form.handlers(),  # before the request form's: it passes on the rest
            CommandHandler("start", start.start),
            CommandHandler("help", commands.help_command),
            *_typed_actions(),
            CommandHandler("skip", free_text.skip),
            CommandHandler("cancel", request_form.cancel),
            CommandHandler("back", request_form.back),
            CallbackQueryHandler(buttons.on_action, pattern=r"^a:"),
            CallbackQueryHandler(buttons.on_slot, pattern=r"^[sr]:"),
            CallbackQueryHandler(buttons.on_timezone, pattern=r"^tz:"),
            CallbackQueryHandler(buttons.on_window, pattern=r"^w:"),
            CallbackQueryHandler(stale_button),
            MessageHandler(PRIVATE_MESSAGE & filters.TEXT & ~filters.COMMAND, request_form.on_text),
            MessageHandler(filters.TEXT & ~filters.COMMAND, free_text.on_message),
            MessageHandler(PRIVATE_MESSAGE & ~filters.TEXT & ~STATUS, request_form.on_non_text),
            MessageHandler(filters.COMMAND, unknown_command),
        ]
    )
    application.add_handler(TypeHandler(Update, save_state), group=99)
    application.add_error_handler(on_error)
    return application


def _typed_actions() -> list[BaseHandler[Update, Context, object]]:
    """Every action of the vocabulary that can be typed is a command (``/claim 5``);
    /edit and /ask open the request form, which the form's own handler does."""
    opened_by_form = (ASK, EDIT)
    return [
        CommandHandler(command, buttons.typed_command(found.name, command))
        for command, found in typed_actions().items()
        if command not in opened_by_form
    ]


def _request_form_entries() -> list[BaseHandler[Update, Context, object]]:
    """What opens the request form (or resumes it), and its buttons."""
    entry = request_form.open_form
    return [
        CommandHandler("request", entry, filters.ChatType.PRIVATE),
        CommandHandler((ASK, EDIT), request_form.typed_open, filters.ChatType.PRIVATE),
        CommandHandler("start", entry, start_filter(REQUEST)),
        CommandHandler("start", entry, start_filter(ASK, r"\d{1,18}")),
        CommandHandler("start", entry, start_filter(EDIT, r"\d{1,18}")),
        CallbackQueryHandler(entry, pattern=r"^a:(edit|ask):\d{1,18}$"),  # Edit, Request <name>
        CallbackQueryHandler(request_form.on_button, pattern=FORM_PATTERN),
    ]


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
