"""Group commit for the chat front-ends' own state (idempotency keys, forms in progress).

Every update needs two small writes: "have I seen this update?" at the start and "this is
where the conversation is now" at the end. Done one by one, each is a thread hop, a round
trip and a commit, and they are most of what an update costs. Here concurrent updates
hand their work to one flusher: whatever arrived while the previous transaction was in
flight goes into the next one, so a busy process commits once for many updates and an
idle one still commits at once (no timer, no added latency). Nobody is answered before
their transaction has committed, so "written after every update" still holds.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from db.frontend_state import FrontEndStore, UpdateStart, UpdateStarted

logger = logging.getLogger(__name__)


class StateConflict(Exception):
    """Another process wrote this conversation row after we read it; ours was not
    stored (the person's next update starts from what the other process wrote)."""


@dataclass
class _Batch:
    writes: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    expected: dict[str, int] = field(default_factory=dict)
    write_waiters: list[tuple[str, asyncio.Future[None]]] = field(default_factory=list)
    starts: list[UpdateStart] = field(default_factory=list)
    start_waiters: list[asyncio.Future[UpdateStarted]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.write_waiters or self.start_waiters)


class StateBatcher:
    """``max_in_flight`` transactions may run at once: while one waits on the database,
    the next batch forms and goes out, so a slow commit does not idle the event loop.
    Batches never hold two steps of one person's work: a person's next update starts
    only after their previous write has committed (one update at a time per person)."""

    def __init__(self, store: FrontEndStore, max_in_flight: int = 3) -> None:
        self.store = store
        self.max_in_flight = max_in_flight
        self._next = _Batch()
        self._in_flight = 0
        self._launch_pending = False
        self._tasks: set[asyncio.Task[None]] = set()
        self.transactions = 0  # for the benchmark and the tests: how much was grouped
        # Threads of its own: these short transactions must not queue behind the services'
        # longer work in the loop's default executor (every update waits on them).
        self._threads: ThreadPoolExecutor | None = None

    async def start_update(self, update_key: str, state_keys: tuple[str, ...]) -> UpdateStarted:
        """Claim ``update_key`` (False when it was handled before) and read state rows."""
        future: asyncio.Future[UpdateStarted] = asyncio.get_running_loop().create_future()
        self._next.starts.append(UpdateStart(update_key, state_keys))
        self._next.start_waiters.append(future)
        self._kick()
        return await future

    async def write(
        self, key: str, value: dict[str, Any] | None, expected: int | None = None
    ) -> None:
        """Store (or, with None, delete) one conversation row; returns once committed.

        With ``expected`` (the version read), only over that version: else StateConflict."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._next.writes[key] = value  # a later write of the same key wins
        if expected is None:
            self._next.expected.pop(key, None)
        else:
            self._next.expected[key] = expected
        self._next.write_waiters.append((key, future))
        self._kick()
        await future

    def _kick(self) -> None:
        if self._next and self._in_flight < self.max_in_flight and not self._launch_pending:
            self._launch_pending = True
            # One turn of the loop later: the updates that are ready to write join too.
            asyncio.get_running_loop().call_soon(self._launch)

    def _launch(self) -> None:
        self._launch_pending = False
        if not self._next or self._in_flight >= self.max_in_flight:
            return
        batch, self._next = self._next, _Batch()
        self._in_flight += 1
        task = asyncio.get_running_loop().create_task(self._commit(batch))
        self._tasks.add(task)  # the loop keeps only weak references to tasks
        task.add_done_callback(self._tasks.discard)

    async def _commit(self, batch: _Batch) -> None:
        try:
            if self._threads is None:
                self._threads = ThreadPoolExecutor(self.max_in_flight, "state-batch")
            result = await asyncio.get_running_loop().run_in_executor(
                self._threads, self.store.apply_batch, batch.writes, batch.starts, batch.expected
            )
        except Exception as exc:  # every update in the batch learns of it
            waiters: list[asyncio.Future[Any]] = [
                *(w for _, w in batch.write_waiters),
                *batch.start_waiters,
            ]
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_exception(exc)
        else:
            self.transactions += 1
            for key, write_waiter in batch.write_waiters:
                if write_waiter.done():
                    continue
                if key in result.conflicts:
                    write_waiter.set_exception(StateConflict(key))
                else:
                    write_waiter.set_result(None)
            for start_waiter, started in zip(batch.start_waiters, result.started, strict=True):
                if not start_waiter.done():
                    start_waiter.set_result(started)
        finally:
            self._in_flight -= 1
            self._kick()

    def close(self) -> None:
        """Let the threads go (at shutdown); a later batch starts new ones."""
        if self._threads is not None:
            self._threads.shutdown(wait=False)
            self._threads = None
