"""Delivers notifications through the Bot API, mapping its errors to the engine's."""

from __future__ import annotations

import asyncio
import warnings
from typing import Any

from telegram import Bot, InputFile
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    RetryAfter,
    TelegramError,
)
from telegram.warnings import PTBDeprecationWarning

from bot.handlers.telegram.keyboards import actions_keyboard
from bot.handlers.telegram.long_text import fit as fit  # re-exported: buttons.py uses it
from bot.handlers.telegram.long_text import split_text
from bot.handlers.telegram.phrases import PHRASES
from bot.senders.cards import feed_post_to_edit, remember_card
from core.delivery.messages import Message
from core.delivery.ports import Address, ChatProblem, RetryLater, SendError, Unreachable
from core.members import Platform
from core.notifications import Notification
from db.frontend_state import FrontEndStore


def group_problem(exc: TelegramError) -> str | None:
    """What is wrong with the mentors' group, if the error says the group refuses the bot
    (an admin can fix that: core.delivery.feed_health), else None."""
    if isinstance(exc, ChatMigrated):
        return "chat_migrated"
    text = str(exc).lower()
    if isinstance(exc, Forbidden):
        return "bot_removed"
    if "chat not found" in text:
        return "chat_not_found"
    if "rights" in text or "not a member" in text or "administrator" in text:
        return "no_rights"
    return None


def retry_after_seconds(exc: RetryAfter) -> float:
    """``RetryAfter.retry_after`` in seconds. Reading it warns (PTB 22.2+ announces a
    change of its type to timedelta); the warning is expected here and silenced, so that
    it can never turn a 429 into a different error (under ``-W error`` it did)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        retry = exc.retry_after
    return float(retry if isinstance(retry, int | float) else retry.total_seconds())


class TelegramSender:
    platform = Platform.TELEGRAM

    def __init__(self, bot: Bot, store: FrontEndStore) -> None:
        self.bot = bot
        self.store = store

    async def send(self, address: Address, message: Message, notification: Notification) -> None:
        try:
            await self._send(address, message.phrased(PHRASES), notification)
        except RetryAfter as exc:
            raise RetryLater(retry_after_seconds(exc)) from exc
        except TelegramError as exc:
            problem = group_problem(exc) if address.is_group else None
            if problem is not None:
                raise ChatProblem(problem) from exc
            if isinstance(exc, Forbidden):
                raise Unreachable(str(exc)) from exc
            raise SendError(f"{exc.__class__.__name__}: {exc}") from exc

    async def _send(self, address: Address, message: Message, notification: Notification) -> None:
        chat_id = int(address.chat_id)
        markup = actions_keyboard(message.actions)
        posted = await feed_post_to_edit(self.store, "telegram", address, notification)
        if posted is not None:
            try:
                await self.bot.edit_message_text(
                    fit(message.text),
                    chat_id=chat_id,
                    message_id=int(posted),
                    reply_markup=markup,
                )
            except BadRequest as exc:
                if "not modified" not in str(exc).lower():
                    raise
            await self._redraw_dm_cards(notification.request_id or 0, message)
            return
        # A long text (several messages) or one with attachments is several sends; if a
        # later one fails (a 429 on the invite), the engine retries the whole notification:
        # remember what already went out, so the retry sends only the rest.
        texts = split_text(message.text)
        several = len(texts) > 1 or bool(message.attachments)
        progress_key = f"tg:sending:{notification.id}:{address.chat_id}"
        done: dict[str, Any] = {}
        if several:
            saved: dict[str, Any] | None = await asyncio.to_thread(self.store.load, progress_key)
            done = saved or {}
        for index, piece in enumerate(texts):
            key = "text" if index == len(texts) - 1 else f"text:{index}"
            if key in done:
                continue
            # the keyboard goes on the last piece: that message is the card edited later
            last = key == "text"
            sent = await self.bot.send_message(
                chat_id, piece, reply_markup=markup if last else None
            )
            if last:
                await remember_card(
                    self.store, "telegram", address, notification, str(sent.message_id)
                )
            if several and (not last or message.attachments):
                done[key] = sent.message_id
                await asyncio.to_thread(self.store.save, progress_key, done)
        for index, attachment in enumerate(message.attachments):
            if str(index) in done:
                continue
            await self.bot.send_document(
                chat_id, InputFile(attachment.content, filename=attachment.filename)
            )
            done[str(index)] = True
            if index < len(message.attachments) - 1:
                await asyncio.to_thread(self.store.save, progress_key, done)
        if several:
            await asyncio.to_thread(self.store.delete, progress_key)

    async def _redraw_dm_cards(self, request_id: int, message: Message) -> None:
        """The same card sent by DM to mentors shows the new state too (a Claim button
        left on a claimed request invites a press that can only be refused). A card
        the mentor deleted, or a chat that blocked us, is left alone."""
        markup = actions_keyboard(message.actions)
        for chat, ref in await asyncio.to_thread(self.store.dm_cards, request_id, "telegram"):
            try:
                await self.bot.edit_message_text(
                    fit(message.text), chat_id=int(chat), message_id=int(ref), reply_markup=markup
                )
            except (BadRequest, Forbidden):
                continue
