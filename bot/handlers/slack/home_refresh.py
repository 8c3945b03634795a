"""Home tabs rebuilt off the request path, each person once per burst (issue 14, item 3).

Building a Home tab is five or six reads and a ``views.publish``. Done in the request,
after the ack, every submission and claim paid for it while the other requests in
flight waited on the same event loop, and their acks with them. A request now only marks
the person's Home as stale and returns. A few lanes per process rebuild stale Homes, one
person at a time: however many changes a person makes meanwhile, their Home is built
once, from what the database holds when it is built. A person never has two builds at
once, so an older view cannot land after a newer one.

Nothing durable is lost if the process stops with Homes still stale: a Home only shows
what the database holds, and it is built again when the person next opens it. That is
why this is a queue in memory and not rows in the outbox.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

logger = logging.getLogger(__name__)
LANES = 2  # builds at once per process: enough to keep up, few enough to leave the acks room
TASK_NAME = "slack-home-refresh"

Build = Callable[[], Coroutine[Any, Any, None]]


class HomeRefresher:
    def __init__(
        self, lanes: int = LANES, wait_turn: Callable[[], Awaitable[None]] | None = None
    ) -> None:
        self._lanes = lanes
        self._wait_turn = wait_turn  # awaited before each build (Slack: ack_first)
        # person -> (the build to run, the log context of the change that asked for it)
        self._stale: OrderedDict[str, tuple[Build, contextvars.Context]] = OrderedDict()
        self._building: set[str] = set()
        self._running: set[asyncio.Task[None]] = set()

    def mark(self, person: str, build: Build, *, first: bool = False) -> None:
        """Ask for ``person``'s Home to be built again; ``build`` replaces any build
        still waiting for them. ``first``: someone is looking at their Home right now
        (they opened it), so theirs goes ahead of the queue."""
        self._stale[person] = (build, contextvars.copy_context())
        self._stale.move_to_end(person, last=not first)
        loop = asyncio.get_running_loop()
        while len(self._running) < min(self._lanes, len(self._stale)):
            lane = loop.create_task(self._lane(), name=TASK_NAME)
            self._running.add(lane)
            lane.add_done_callback(self._running.discard)

    @property
    def waiting(self) -> int:
        return len(self._stale)

    async def idle(self) -> None:
        """Return once no Home is waiting or being built (tests, benchmarks, shutdown)."""
        while self._running:
            await asyncio.wait(set(self._running))

    def close(self) -> None:
        """Stop at shutdown: a Home still stale is built when its person next opens it."""
        self._stale.clear()
        for lane in list(self._running):
            lane.cancel()

    async def _lane(self) -> None:
        while True:
            if self._wait_turn is not None:
                await self._wait_turn()
            person = next((p for p in self._stale if p not in self._building), None)
            if person is None:  # none waiting, or each waiting one is being built now
                return
            build, context = self._stale.pop(person)
            self._building.add(person)
            try:
                # in the log context of the change that asked for it, as if in its request
                await asyncio.get_running_loop().create_task(build(), context=context)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("could not rebuild a Home tab", exc_info=True)
            finally:
                self._building.discard(person)
