"""A platform that enforces its limits and answers 429 on a fifth of the calls.

300 messages to 30 chats go through the real engine and a real database (SQLite and
PostgreSQL). The fake platform behaves like Telegram scaled down in time: 1 message per
0.1 s per chat, 10 per 0.1 s in all, and on about 20 % of calls (a seeded random) a 429
with a retry-after of 0.05-0.25 s for that chat. It records every call, so the test can
check what a platform would check:

- every message delivered exactly once (0 duplicates, 0 missing);
- no call to a chat before the retry-after it announced for that chat has passed;
- no accepted send over a limit, in any strict sliding window (no allowance: the
  engine's limiter counts a slot from the end of its send, so the platform's own clock
  reading, taken during the send, can never fall inside an earlier slot's window).

The engine runs with matching limits. The ticks run on the movable clock (a row delayed
by a 429 is due at ``ctx.now() + retry_after``), which the test moves on between ticks,
while the limiter and the platform use real monotonic time.
"""

from __future__ import annotations

import random
import time
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.worker import build_engine, tick
from core.catalogue import Catalogue
from core.clock import MovableClock
from core.delivery.messages import Message
from core.delivery.ports import Address, RetryLater
from core.delivery.ratelimit import Limit
from core.members import Identity, Platform
from core.notifications import Kind, Notification, NotificationStatus, to_member
from core.policy import Policy
from core.services.context import ServiceContext
from db.engine import make_engine, make_session_factory
from db.unit_of_work import SqlAlchemyUnitOfWork

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
CHATS = 30
MESSAGES = 300
PER_CHAT = Limit(1, 0.1)
GLOBAL = Limit(10, 0.1)
REJECT_SHARE = 0.2
RETRY_AFTER = (0.05, 0.25)
KINDS = [Kind.MENTOR_APPROVED, Kind.MENTOR_REJECTED, Kind.DELIVERY_FAILED]


@dataclass
class StrictPlatform:
    """A Telegram-like platform in miniature that keeps the evidence."""

    seed: int
    platform: Platform = Platform.TELEGRAM
    accepted: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    calls: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    announced: dict[str, list[tuple[float, float]]] = field(
        default_factory=lambda: defaultdict(list)
    )  # chat -> (when, retry-after deadline)
    delivered: Counter[int] = field(default_factory=Counter)
    over_limit: list[str] = field(default_factory=list)
    early: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.window_all: deque[float] = deque()
        self.window_chat: dict[str, deque[float]] = defaultdict(deque)

    @staticmethod
    def _in_window(window: deque[float], now: float, limit: Limit) -> int:
        while window and window[0] <= now - limit.window:
            window.popleft()
        return len(window)

    async def send(self, address: Address, message: Message, notification: Notification) -> None:
        now = time.monotonic()
        chat = address.chat_id
        self.calls[chat].append(now)
        for when, until in self.announced[chat]:
            if when <= now < until:
                self.early.append(f"{chat}: {until - now:.4f} s before its retry-after")
        chat_window = self.window_chat[chat]
        if self._in_window(chat_window, now, PER_CHAT) >= PER_CHAT.count:
            self.over_limit.append(f"{chat}: over {PER_CHAT}")
            raise self._reject(chat, now, PER_CHAT.window)
        if self._in_window(self.window_all, now, GLOBAL) >= GLOBAL.count:
            self.over_limit.append(f"global: over {GLOBAL}")
            raise self._reject(chat, now, PER_CHAT.window)
        if self.rng.random() < REJECT_SHARE:
            raise self._reject(chat, now, round(self.rng.uniform(*RETRY_AFTER), 3))
        chat_window.append(now)
        self.window_all.append(now)
        self.accepted[chat].append(now)
        assert notification.id is not None
        self.delivered[notification.id] += 1

    def _reject(self, chat: str, now: float, seconds: float) -> RetryLater:
        self.announced[chat].append((now, now + seconds))
        return RetryLater(seconds)


def most_in_any_window(times: list[float], window: float) -> int:
    ordered, best, start = sorted(times), 0, 0
    for end, t in enumerate(ordered):
        while ordered[start] <= t - window:
            start += 1
        best = max(best, end - start + 1)
    return best


def context(url: str, clock: MovableClock) -> tuple[ServiceContext, object]:
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    ctx = ServiceContext(
        uow_factory=lambda: SqlAlchemyUnitOfWork(sessions),
        clock=clock,
        catalogue=Catalogue.load(),
        policy=Policy(),
    )
    return ctx, engine


def fill(ctx: ServiceContext) -> list[int]:
    """30 people on Telegram, 10 messages each, all due now, interleaved by chat."""
    now = ctx.now()
    with ctx.uow_factory() as uow:
        members = [
            uow.members.add(f"Person {c}", "UTC", Identity(Platform.TELEGRAM, f"{1000 + c}"), now)
            for c in range(CHATS)
        ]
        for i in range(MESSAGES):
            member = members[i % CHATS]
            uow.notifications.add(to_member(KINDS[i % len(KINDS)], member.id, now, f"m{i}"))
        uow.commit()
        return [n.id for n in uow.notifications.pending() if n.id is not None]


async def test_429s_and_per_chat_limits_deliver_everything_once(database_url):
    clock = MovableClock(START)
    ctx, db_engine = context(database_url, clock)
    try:
        ids = fill(ctx)
        assert len(ids) == MESSAGES
        platform = StrictPlatform(seed=20260302)
        engine = build_engine(
            ctx,
            [platform],
            {},
            limits={Platform.TELEGRAM: (GLOBAL, PER_CHAT, None)},
            batch_size=150,
        )
        started, ticks = time.monotonic(), 0
        while True:
            await tick(ctx, engine)
            ticks += 1
            with ctx.uow_factory() as uow:
                counts = uow.outbox.counts()
            if not counts.get(NotificationStatus.PENDING.value):
                break
            assert time.monotonic() - started < 60, f"not done after {ticks} ticks: {counts}"
            # let every row a 429 delayed fall due (the limiter still waits in real time)
            clock.advance(timedelta(seconds=RETRY_AFTER[1]))
        elapsed = time.monotonic() - started

        rejected = sum(len(v) for v in platform.announced.values())
        calls = sum(len(v) for v in platform.calls.values())
        print(
            f"\n{MESSAGES} messages in {elapsed:.2f} s over {ticks} ticks: {calls} calls, "
            f"{rejected} answered 429"
        )
        assert counts == {NotificationStatus.SENT.value: MESSAGES}
        assert set(platform.delivered) == set(ids)  # 0 missing
        assert set(platform.delivered.values()) == {1}  # 0 duplicates
        assert platform.early == []  # nothing before an announced retry-after
        assert platform.over_limit == []  # the platform never had to refuse over a limit
        assert rejected >= 0.1 * calls  # the 429s really happened
        # and the evidence itself, window by window
        everything = [t for times in platform.accepted.values() for t in times]
        assert most_in_any_window(everything, GLOBAL.window) <= GLOBAL.count
        for times in platform.accepted.values():
            assert most_in_any_window(times, PER_CHAT.window) <= PER_CHAT.count
        for chat, calls_at in platform.calls.items():
            for when, until in platform.announced[chat]:
                assert not [t for t in calls_at if when < t < until], chat
        assert sum(len(v) for v in platform.accepted.values()) == MESSAGES
    finally:
        db_engine.dispose()
