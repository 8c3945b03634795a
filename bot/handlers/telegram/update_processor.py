"""Updates of different people at once, each person's updates strictly in order.

python-telegram-bot handles one update at a time by default, so one person's slow
database call holds up everybody; its ``concurrent_updates=True`` runs everything at once,
which a ``ConversationHandler`` cannot bear (two quick taps of one person would race on
one form). Keyed by the person, we get both: different people in parallel (their state
writes share one transaction, see ``bot.state_batcher``), one person in arrival order.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.log_context import bind
from bot.ops.metrics import process_metrics


def person_of(update: object) -> int | None:
    """Whose conversation the update belongs to: the sender, else the chat."""
    if not isinstance(update, Update):
        return None
    if update.effective_user is not None:
        return update.effective_user.id
    if update.effective_chat is not None:
        return update.effective_chat.id
    return None


class PerPersonUpdateProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = 64) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int | None, asyncio.Lock] = {}
        self._waiting: dict[int | None, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        person = person_of(update)
        lock = self._locks.setdefault(person, asyncio.Lock())
        self._waiting[person] = self._waiting.get(person, 0) + 1
        try:
            async with lock:  # asyncio.Lock is fair: first come, first served
                if isinstance(update, Update):
                    bind(update=f"tg:{update.update_id}")
                with process_metrics().handling("telegram"):
                    await coroutine
        finally:
            self._waiting[person] -= 1
            if not self._waiting[person]:  # nobody else queued: forget the lock
                del self._waiting[person]
                del self._locks[person]

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None
