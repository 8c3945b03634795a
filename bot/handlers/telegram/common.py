"""What every Telegram handler shares: the services, who is talking, safe replies."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.handlers.telegram.sender import fit
from core.errors import DomainError
from core.members import Identity, Member, Platform
from core.services.context import ServiceContext
from core.services.members import find_member, register_member
from db.frontend_state import FrontEndStore

logger = logging.getLogger(__name__)
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
    """The member behind this Telegram account, registered on first contact."""
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
    return member


async def reply(update: Update, text: str, keyboard: InlineKeyboardMarkup | None = None) -> None:
    chat = update.effective_chat
    if chat is not None:
        await chat.send_message(fit(text), reply_markup=keyboard)


def guarded(
    handler: Callable[[Update, Context], Awaitable[HandlerResult]],
) -> Callable[[Update, Context], Awaitable[HandlerResult]]:
    """Domain errors become a plain answer (an alert for a button); the state stays put."""

    @functools.wraps(handler)
    async def wrapper(update: Update, context: Context) -> HandlerResult:
        try:
            return await handler(update, context)
        except DomainError as exc:
            query = update.callback_query
            if query is not None:
                await query.answer(exc.user_message[:200], show_alert=True)
            else:
                await reply(update, exc.user_message)
            return None

    return wrapper
