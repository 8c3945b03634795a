"""What every Telegram handler shares: the services, who is talking, safe replies."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from cachetools import TTLCache
from telegram import InlineKeyboardMarkup, Update
from telegram.error import RetryAfter
from telegram.ext import ContextTypes

from bot.handlers.telegram.sender import fit, retry_after_seconds
from core.errors import DomainError
from core.members import Identity, Member, Platform
from core.services.context import ServiceContext
from core.services.members import find_member, note_contact, register_member
from db.frontend_state import FrontEndStore

logger = logging.getLogger(__name__)
MEMBER_CACHE = "members_by_telegram_id"
MEMBER_TTL_SECONDS = 60
T = TypeVar("T")
Context = ContextTypes.DEFAULT_TYPE
HandlerResult = int | None


def services(context: Context) -> ServiceContext:
    ctx: ServiceContext = context.application.bot_data["services"]
    return ctx


def store(context: Context) -> FrontEndStore:
    found: FrontEndStore = context.application.bot_data["store"]
    return found


async def call(context: Context, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a (synchronous) core service off the event loop."""
    return await asyncio.to_thread(fn, services(context), *args, **kwargs)


async def me(update: Update, context: Context) -> Member:
    """The member behind this Telegram account, registered on first contact.

    Kept for a minute per process: handlers ask on most updates and each lookup is three
    statements. What a cached copy decides is only how things are shown (the zone, the
    name); every service checks roles and ownership again from the database. A change
    made here (the time zone) drops the copy at once; one made elsewhere (an admin's
    approval on another process) shows within the minute."""
    user = update.effective_user
    assert user is not None
    cache = _members(context)
    member: Member | None = cache.get(user.id)
    if member is None:
        member = await _lookup(update, context)
        if not any(i.unreachable for i in member.identities):
            cache[user.id] = member
    return member


def _members(context: Context) -> TTLCache[int, Member]:
    found: TTLCache[int, Member] = context.application.bot_data.setdefault(
        MEMBER_CACHE, TTLCache(maxsize=10_000, ttl=MEMBER_TTL_SECONDS)
    )
    return found


def member_user_id(update: Update) -> int:
    user = update.effective_user
    assert user is not None
    return user.id


def forget_member(context: Context, user_id: int) -> None:
    """After a change to the member made by this process: the next lookup reads it."""
    _members(context).pop(user_id, None)


async def _lookup(update: Update, context: Context) -> Member:
    user = update.effective_user
    assert user is not None
    identity = Identity(Platform.TELEGRAM, str(user.id))
    member = await asyncio.to_thread(find_member, services(context), identity)
    if member is None:
        admins: frozenset[str] = context.application.bot_data.get("admins", frozenset())
        name = " ".join(p for p in (user.first_name, user.last_name) if p) or "Telegram user"
        member, _ = await call(
            context, register_member, identity, name[:100], admin=f"telegram:{user.id}" in admins
        )
    elif any(i == identity and i.unreachable for i in member.identities):
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
    chat = update.effective_chat
    if chat is not None:
        await patiently(lambda: chat.send_message(fit(text), reply_markup=keyboard))


ANSWER_LIMIT = 200  # characters in an answerCallbackQuery toast or alert


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
            await reply(update, text)
        return
    answered[query.id] = None
    while len(answered) > 10_000:  # the oldest presses can no longer come back
        del answered[next(iter(answered))]
    if text is not None and len(text) > ANSWER_LIMIT:
        short = text[: ANSWER_LIMIT - 1] + "…"
        await patiently(lambda: query.answer(short, show_alert=alert))
        await reply(update, text)
        return
    await patiently(lambda: query.answer(text, show_alert=alert))


def guarded(
    handler: Callable[[Update, Context], Awaitable[HandlerResult]],
) -> Callable[[Update, Context], Awaitable[HandlerResult]]:
    """Domain errors become a plain answer (an alert for a button); the state stays put."""

    @functools.wraps(handler)
    async def wrapper(update: Update, context: Context) -> HandlerResult:
        try:
            return await handler(update, context)
        except DomainError as exc:
            await answer(update, context, exc.user_message, alert=True)
            return None

    return wrapper
