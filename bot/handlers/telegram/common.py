"""What every Telegram handler shares: the services, who is talking, safe replies."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from telegram import InlineKeyboardMarkup, Update
from telegram.error import Forbidden, RetryAfter
from telegram.ext import ContextTypes

from bot.conversation.splitting import shorten, utf16_length
from bot.handlers.telegram.long_text import send_pieces
from bot.handlers.telegram.persistence import DatabasePersistence
from bot.handlers.telegram.phrases import PHRASES
from bot.handlers.telegram.sender import retry_after_seconds
from bot.log_context import bind
from bot.read_cache import ReadCache
from core.errors import DomainError
from core.hints import with_hint
from core.members import Identity, Member, Platform
from core.services.admin_settings import is_listed
from core.services.context import ServiceContext
from core.services.members import find_or_register, note_contact
from core.transactions import run_retrying
from db.frontend_state import FrontEndStore

logger = logging.getLogger(__name__)
READS = "reads"  # the ReadCache in bot_data
T = TypeVar("T")
Context = ContextTypes.DEFAULT_TYPE
HandlerResult = int | None


async def stored_now(update: Update, context: Context) -> bool:
    """This person's state (a form's new step) written before they are answered; False,
    with ``user_data`` back at what is stored, when it could not be written."""
    persistence = context.application.persistence
    user = update.effective_user
    if user is None or context.user_data is None:
        return True
    if not isinstance(persistence, DatabasePersistence):
        return True
    return await persistence.save_now(user.id, context.user_data)


def services(context: Context) -> ServiceContext:
    ctx: ServiceContext = context.application.bot_data["services"]
    return ctx


def store(context: Context) -> FrontEndStore:
    found: FrontEndStore = context.application.bot_data["store"]
    return found


async def call(context: Context, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a (synchronous) core service off the event loop."""
    return await asyncio.to_thread(run_retrying, fn, services(context), *args, **kwargs)


async def me(update: Update, context: Context) -> Member:
    """The member behind this Telegram account, registered on first contact (a copy is
    kept a minute per process, see ``bot.read_cache``)."""
    user = update.effective_user
    assert user is not None
    identity = Identity(Platform.TELEGRAM, str(user.id))
    member = await reads(context).member(identity, lambda: _lookup(update, context))
    assert member is not None  # _lookup registers whoever is new
    bind(person=member.id)  # on this update's log lines (bot.log_context)
    return member


def reads(context: Context) -> ReadCache:
    # not setdefault: it would build a ReadCache (two caches) on every update to drop it
    found: ReadCache | None = context.application.bot_data.get(READS)
    if found is None:
        found = context.application.bot_data[READS] = ReadCache()
    return found


async def _lookup(update: Update, context: Context) -> Member:
    user = update.effective_user
    assert user is not None
    identity = Identity(Platform.TELEGRAM, str(user.id))
    admins: frozenset[str] = context.application.bot_data.get("admins", frozenset())
    name = " ".join(p for p in (user.first_name, user.last_name) if p) or "Telegram user"
    member, created = await call(
        context, find_or_register, identity, name[:100], admin=is_listed(identity, admins)
    )
    if not created and any(i == identity and i.unreachable for i in member.identities):
        await asyncio.to_thread(note_contact, services(context), member, identity)
    return member


RETRY_WITHIN_SECONDS = 5.0  # a longer 429 wait is not worth holding the person's updates


async def patiently(send: Callable[[], Awaitable[T]]) -> T:
    """A direct reply refused with 429: wait as long as Telegram asks (up to 5 s) and
    send it once more. (Notifications go through the delivery engine, which has its
    own limits and retries; these are answers to what the person just did.)"""
    try:
        return await send()
    except RetryAfter as exc:
        wait = retry_after_seconds(exc)
        if wait > RETRY_WITHIN_SECONDS:
            raise
        await asyncio.sleep(wait)
        return await send()


async def reply(update: Update, text: str, keyboard: InlineKeyboardMarkup | None = None) -> None:
    """A text too long for one message goes as several, the keyboard under the last."""
    chat = update.effective_chat
    if chat is not None:
        await send_pieces(
            lambda piece, markup: patiently(lambda: chat.send_message(piece, reply_markup=markup)),
            text,
            keyboard,
        )


ANSWER_LIMIT = 200  # UTF-16 code units in an answerCallbackQuery toast or alert


async def answer(
    update: Update, context: Context, text: str | None = None, *, alert: bool = False
) -> None:
    """Answer the pressed button, once: Telegram refuses a second answer to a query (400),
    so what comes after the first answer (an error found later) is sent as a message.
    A text longer than an alert allows is shortened there and sent in full as a message."""
    query = update.callback_query
    # kept application-wide: the error handler gets a context of its own
    answered: dict[str, None] = context.application.bot_data.setdefault("answered", {})
    if query is None or query.id in answered:
        if text:
            await _to_presser(update, context, text)
        return
    answered[query.id] = None
    while len(answered) > 10_000:  # the oldest presses can no longer come back
        del answered[next(iter(answered))]
    if text is not None and utf16_length(text) > ANSWER_LIMIT:
        short = shorten(text, ANSWER_LIMIT, "…", length=utf16_length)  # the rest follows
        await patiently(lambda: query.answer(short, show_alert=alert))
        await _to_presser(update, context, text)
        return
    await patiently(lambda: query.answer(text, show_alert=alert))


async def _to_presser(update: Update, context: Context, text: str) -> None:
    """What is left to say about a press, said where only the presser reads it: in a
    group (a Claim in the mentors' group) that is their private chat, never the group."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or chat.type == chat.PRIVATE or user is None:
        await reply(update, text)
        return
    try:
        await patiently(lambda: context.bot.send_message(user.id, text))
    except Forbidden:  # no private chat yet: the toast was all they could get
        logger.info("a note for a press in a group could not reach the presser privately")


def guarded(
    handler: Callable[[Update, Context], Coroutine[Any, Any, HandlerResult]],
) -> Callable[[Update, Context], Coroutine[Any, Any, HandlerResult]]:
    """Domain errors become a plain answer (an alert for a button); the state stays put."""

    @functools.wraps(handler)
    async def wrapper(update: Update, context: Context) -> HandlerResult:
        try:
            return await handler(update, context)
        except DomainError as exc:
            await answer(
                update, context, with_hint(exc.user_message, exc.hint, PHRASES), alert=True
            )
            return None

    return wrapper
