"""Updates of different people at once, each person's updates strictly in order.

python-telegram-bot handles one update at a time by default, so one person's slow
database call holds up everybody; its ``concurrent_updates=True`` runs everything at once,
which a ``ConversationHandler`` cannot bear (two quick taps of one person would race on
one form). Keyed by the person, we get both: different people in parallel (their state
writes share one transaction, see ``bot.state_batcher``), one person in arrival order.

It also bounds memory (issue 14: 10,000 half-filled forms held 186 MB): every update
reads its person's state from the database first, so a person who has gone quiet need
not be kept in memory. Beyond ``max_resident`` people, the longest idle are forgotten
(``forget``), never one whose update is under way or waiting.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable
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


MAX_RESIDENT = 2_000  # people whose state is kept in memory between their updates


class PerPersonUpdateProcessor(BaseUpdateProcessor):
    def __init__(
        self,
        max_concurrent_updates: int = 64,
        *,
        max_resident: int = MAX_RESIDENT,
        forget: Callable[[int], None] | None = None,
    ) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int | None, asyncio.Lock] = {}
        self._waiting: dict[int | None, int] = {}
        self._idle: OrderedDict[int, None] = OrderedDict()  # least recently active first
        self.max_resident = max_resident
        self.forget = forget

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        person = person_of(update)
        lock = self._locks.get(person)
        if lock is None:  # not setdefault: no Lock built for every update to drop it
            lock = self._locks[person] = asyncio.Lock()
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
                self._rest(person)

    def _rest(self, person: int | None) -> None:
        """``person`` has nothing under way: the most recently idle now; the longest
        idle beyond ``max_resident`` are forgotten (one active again is skipped: it
        comes back here when its updates are done)."""
        if person is None or self.forget is None:
            return
        self._idle[person] = None
        self._idle.move_to_end(person)
        while len(self._idle) > self.max_resident:
            oldest, _ = self._idle.popitem(last=False)
            if oldest not in self._locks:
                self.forget(oldest)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None
