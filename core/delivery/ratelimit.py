"""Strict sliding-window rate limits for outgoing messages.

A leaky bucket lets a full burst through right after an idle spell and then keeps
draining, so over some one-second window it can pass twice its rate; Telegram and Slack
count per window. Here a send waits until fewer than ``limit`` sends fall inside the last
``window`` seconds, for every limit that applies to it (the bot as a whole, the chat, the
group), so no window ever sees more than allowed and a steady stream runs at the limit.

A slot is taken when a send starts and, through ``release``, counted from when it ends:
the platform counts the message at some instant in between that the engine cannot know
(another thread holding the GIL, the network), and the later one is the safe choice.
"""

from __future__ import annotations

import asyncio
import bisect
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from core.observe import observer


@dataclass(frozen=True)
class Limit:
    count: int
    window: float  # seconds


class SlidingWindow:
    def __init__(self, limit: Limit) -> None:
        self.limit = limit
        self.sent: list[float] = []  # instants, in order

    def wait_time(self, now: float) -> float:
        expired = bisect.bisect_right(self.sent, now - self.limit.window)
        if expired:
            del self.sent[:expired]
        excess = len(self.sent) - self.limit.count
        if excess < 0:
            return 0.0
        return self.sent[excess] + self.limit.window - now

    def record(self, now: float) -> None:
        bisect.insort(self.sent, now)

    def restamp(self, old: float, new: float) -> None:
        """Count a send recorded at ``old`` from ``new`` (later) instead."""
        index = bisect.bisect_left(self.sent, old)
        if index < len(self.sent) and self.sent[index] == old:
            del self.sent[index]
        bisect.insort(self.sent, new)


class RateLimiter:
    """Waits until a send to ``key`` fits every limit; one lock keeps check-and-record atomic."""

    def __init__(
        self,
        global_limit: Limit | None,
        per_chat: Limit | None,
        per_group: Limit | None = None,
        clock: Callable[[], float] = time.monotonic,
        name: str = "",
    ) -> None:
        self.name = name  # the platform, for the operator's metrics
        self._global = SlidingWindow(global_limit) if global_limit else None
        self._per_chat = per_chat
        self._per_group = per_group
        self._chats: dict[str, list[SlidingWindow]] = {}
        self._blocked_until: dict[str, float] = {}
        self._clock = clock
        self._lock = asyncio.Lock()

    def _windows(self, key: str, is_group: bool) -> Sequence[SlidingWindow]:
        if key not in self._chats:
            limits = [self._per_chat] + ([self._per_group] if is_group else [])
            self._chats[key] = [SlidingWindow(limit) for limit in limits if limit]
        own = self._chats[key]
        return [*own, self._global] if self._global else own

    def block(self, key: str, seconds: float) -> None:
        """The platform said 429 for this chat: nothing goes to it until the time is up."""
        self._blocked_until[key] = max(self._blocked_until.get(key, 0.0), self._clock() + seconds)

    def blocked_for(self, key: str) -> float:
        return max(0.0, self._blocked_until.get(key, 0.0) - self._clock())

    async def acquire(
        self, key: str, is_group: bool = False, deadline: float | None = None
    ) -> float | None:
        """Wait for a slot and take it: returns the instant it was taken, for ``release``.
        None (nothing taken) if the slot would come after ``deadline`` (same clock), so a
        caller whose lease runs out can hand the send back."""
        while True:
            async with self._lock:
                now = self._clock()
                windows = self._windows(key, is_group)
                wait = max(
                    [w.wait_time(now) for w in windows] + [self._blocked_until.get(key, 0) - now]
                )
                if wait <= 0:
                    for window in windows:
                        window.record(now)
                    return now
                if deadline is not None and now + wait > deadline:
                    return None
            observer().rate_limit_wait(self.name, wait)
            await asyncio.sleep(wait)

    def release(self, key: str, taken_at: float) -> None:
        """The send that took its slot at ``taken_at`` is over: count it from now."""
        now = self._clock()
        own = self._chats.get(key, [])
        for window in [*own, self._global] if self._global else own:
            window.restamp(taken_at, now)
