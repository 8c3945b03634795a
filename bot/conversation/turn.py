"""One person's turn: who is acting and how services are called on their behalf."""

from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any, TypeVar

from bot.read_cache import ReadCache
from core.members import Member
from core.services.context import ServiceContext
from core.transactions import run_retrying

T = TypeVar("T")


@dataclass(frozen=True)
class Turn:
    """The acting member (a copy that may be a minute old: it only decides presentation;
    every service re-checks roles and ownership in the database)."""

    member: Member
    services: ServiceContext
    reads: ReadCache
    # awaited before each service call: a front-end's way to let others go first
    # (Slack: requests not yet answered, bot.handlers.slack.ack_first)
    wait_turn: Callable[[], Awaitable[None]] | None = None
    # the threads services run on (None: the event loop's default pool)
    threads: Executor | None = None

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """A (synchronous) core service, off the event loop; run again after a deadlock."""
        if self.wait_turn is not None:
            await self.wait_turn()
        return await in_thread(self.threads, run_retrying, fn, self.services, *args, **kwargs)


async def in_thread(threads: Executor | None, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``asyncio.to_thread`` on a chosen pool (None: the loop's default), with the
    caller's context variables (the log lines' fields) as to_thread keeps them."""
    call = functools.partial(contextvars.copy_context().run, fn, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(threads, call)
