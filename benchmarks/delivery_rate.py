"""Benchmark: how close the engine gets to a platform's rate limit, without going over.

    python benchmarks/delivery_rate.py [--messages 10000] [--chats 2000] [--rate 500]
                                       [--per-chat 5] [--batch 200] [--db postgres,sqlite]

10 000 messages, due at once, to 2 000 chats (about 5 each, in a seeded random order)
go through the real engine and database to a fake platform that enforces, with strict
sliding windows of one second, a global limit (500 per second: Telegram's 30 scaled up so
that the run lasts about 20 s) and a per-chat limit (5 per second). The engine is
configured with the same limits. A send over either limit is counted (and refused with
a 429, as a platform would); the figure must be 0.

The achieved rate is given as a fraction of the configured limit: the shortest time the
platform's sliding window allows for N messages (full windows back to back:
(ceil(N / limit) - 1) seconds) divided by the time from the start of the first tick to
the last accepted send. The time each batch spends leasing + planning and recording in
the database is printed too, because that is what keeps a tick from sending.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import statistics
import sys
import time
from collections import defaultdict, deque
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Engine, insert, select

from benchmarks._common import START, database
from bot.worker import build_engine, tick
from core.catalogue import Catalogue
from core.clock import MovableClock
from core.delivery.engine import DeliveryEngine
from core.delivery.messages import Message
from core.delivery.ports import Address, RetryLater
from core.delivery.ratelimit import Limit
from core.members import Platform
from core.notifications import Kind, Notification, NotificationStatus
from core.policy import Policy
from core.services.context import ServiceContext
from db.engine import make_engine, make_session_factory
from db.models import (
    MemberIdentityRow,
    MemberRow,
    MentorshipRequestRow,
    MentorshipSessionRow,
    NotificationRow,
)
from db.unit_of_work import SqlAlchemyUnitOfWork


class Window:
    """A strict sliding window: how many sends fall in (now - seconds, now]."""

    def __init__(self, limit: Limit) -> None:
        self.limit = limit
        self.sent: deque[float] = deque()

    def full(self, now: float) -> bool:
        while self.sent and self.sent[0] <= now - self.limit.window:
            self.sent.popleft()
        return len(self.sent) >= self.limit.count


class LimitedPlatform:
    """A platform that counts, per chat and in all, what arrives in each window."""

    platform = Platform.TELEGRAM

    def __init__(self, global_limit: Limit, per_chat: Limit) -> None:
        self.all = Window(global_limit)
        self.per_chat_limit = per_chat
        self.chats: dict[str, Window] = {}
        self.accepted: list[float] = []
        self.delivered: defaultdict[int, int] = defaultdict(int)
        self.over_global = 0
        self.over_chat = 0

    async def send(self, address: Address, message: Message, notification: Notification) -> None:
        now = time.monotonic()
        chat = self.chats.get(address.chat_id)
        if chat is None:
            chat = self.chats[address.chat_id] = Window(self.per_chat_limit)
        if chat.full(now):
            self.over_chat += 1
            raise RetryLater(1.0)
        if self.all.full(now):
            self.over_global += 1
            raise RetryLater(1.0)
        chat.sent.append(now)
        self.all.sent.append(now)
        self.accepted.append(now)
        self.delivered[notification.id or 0] += 1


class Timings:
    def __init__(self) -> None:
        self.lease: list[float] = []
        self.send: list[float] = []
        self.record: list[float] = []

    def wrap(self, engine: DeliveryEngine) -> None:
        """Time the engine's three steps per batch (instance attributes shadow methods)."""

        def timed(function: Callable[..., Any], into: list[float]) -> Callable[..., Any]:
            def run(*args: Any) -> Any:
                started = time.perf_counter()
                try:
                    return function(*args)
                finally:
                    into.append(time.perf_counter() - started)

            return run

        def timed_async(function: Callable[..., Any], into: list[float]) -> Callable[..., Any]:
            async def run(*args: Any) -> Any:
                started = time.perf_counter()
                try:
                    return await function(*args)
                finally:
                    into.append(time.perf_counter() - started)

            return run

        engine._lease_and_plan = timed(engine._lease_and_plan, self.lease)  # type: ignore[method-assign]
        engine._record = timed(engine._record, self.record)  # type: ignore[method-assign]
        engine._send_all = timed_async(engine._send_all, self.send)  # type: ignore[method-assign]


def make_context(url: str, clock: MovableClock) -> tuple[ServiceContext, Engine]:
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    ctx = ServiceContext(
        uow_factory=lambda: SqlAlchemyUnitOfWork(sessions),
        clock=clock,
        catalogue=Catalogue.load(),
        policy=Policy(),
    )
    return ctx, engine


def fill(engine: Engine, messages: int, chats: int, what: str, seed: int = 7) -> None:
    """``chats`` people on Telegram and ``messages`` rows due now, in a seeded random order.

    ``reminders``: the 1 h reminders of messages/2 sessions that start in 30 minutes, to
    both people (planning loads the request, the session and three members for each);
    ``news``: "you are approved" style messages that need only the recipient.
    """
    now = START
    with engine.begin() as c:
        c.execute(
            insert(MemberRow),
            [
                {
                    "display_name": f"Person {i}",
                    "timezone": "UTC",
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(chats)
            ],
        )
        ids = list(c.scalars(select(MemberRow.id).order_by(MemberRow.id)))
        c.execute(
            insert(MemberIdentityRow),
            [
                {"member_id": member_id, "platform": "telegram", "external_id": str(10_000 + i)}
                for i, member_id in enumerate(ids)
            ],
        )
        rows: list[dict[str, Any]] = []
        if what == "news":
            kinds = [Kind.MENTOR_APPROVED, Kind.MENTOR_REJECTED]
            for i in range(messages):
                rows.append(
                    {"recipient_id": ids[i % chats], "kind": kinds[i % 2].value, "payload": {}}
                )
        else:
            sessions = messages // 2
            pairs = [(ids[(2 * i) % chats], ids[(2 * i + 1) % chats]) for i in range(sessions)]
            starts = now + timedelta(minutes=30)
            c.execute(
                insert(MentorshipRequestRow),
                [
                    {
                        "student_id": student,
                        "session_type": "career-guidance",
                        "title": f"Career plan #{i}",
                        "description": "Moving from support into backend work.",
                        "extra": {},
                        "duration_minutes": 60,
                        "urgency": "normal",
                        "available_from": now.date(),
                        "available_until": now.date() + timedelta(days=10),
                        "tags": ["python"],
                        "status": "SCHEDULED",
                        "claimed_by": mentor,
                        "claimed_at": now - timedelta(days=1),
                        "expires_at": now + timedelta(days=6),
                        "created_at": now - timedelta(days=1),
                        "updated_at": now - timedelta(days=1),
                    }
                    for i, (student, mentor) in enumerate(pairs)
                ],
            )
            request_ids = list(
                c.scalars(select(MentorshipRequestRow.id).order_by(MentorshipRequestRow.id))
            )
            c.execute(
                insert(MentorshipSessionRow),
                [
                    {
                        "request_id": request_id,
                        "mentor_id": mentor,
                        "student_id": student,
                        "session_type": "career-guidance",
                        "status": "SCHEDULED",
                        "scheduled_at": starts,
                        "ends_at": starts + timedelta(hours=1),
                        "duration_minutes": 60,
                        "meeting_link": f"https://meet.example/s{request_id}",
                        "created_at": now - timedelta(days=1),
                        "updated_at": now - timedelta(days=1),
                    }
                    for request_id, (student, mentor) in zip(request_ids, pairs, strict=True)
                ],
            )
            session_rows = c.execute(
                select(
                    MentorshipSessionRow.id,
                    MentorshipSessionRow.request_id,
                    MentorshipSessionRow.student_id,
                    MentorshipSessionRow.mentor_id,
                )
            ).all()
            for session_id, request_id, student, mentor in session_rows:
                for member_id in (student, mentor):
                    rows.append(
                        {
                            "recipient_id": member_id,
                            "kind": Kind.REMINDER.value,
                            "payload": {"offset_minutes": 60},
                            "request_id": request_id,
                            "session_id": session_id,
                        }
                    )
        random.Random(seed).shuffle(rows)
        c.execute(
            insert(NotificationRow),
            [
                row
                | {
                    "audience": "member",
                    "due_at": now - timedelta(minutes=1),
                    "dedup_key": f"bench:{i}",
                    "status": "PENDING",
                    "attempts": 0,
                    "created_at": now - timedelta(days=1),
                }
                for i, row in enumerate(rows)
            ],
        )


async def deliver(ctx: ServiceContext, engine: DeliveryEngine) -> tuple[float, int]:
    started = time.monotonic()
    ticks = 0
    while True:
        await tick(ctx, engine)
        ticks += 1
        with ctx.uow_factory() as uow:
            if not uow.outbox.counts().get(NotificationStatus.PENDING.value):
                return started, ticks
        ctx.clock.advance(timedelta(seconds=1))  # type: ignore[attr-defined]


def run(kind: str, args: argparse.Namespace) -> None:
    global_limit, per_chat = Limit(args.rate, 1.0), Limit(args.per_chat, 1.0)
    clock = MovableClock(START)
    with database(kind) as url:
        ctx, db_engine = make_context(url, clock)
        try:
            fill(db_engine, args.messages, args.chats, args.what)
            platform = LimitedPlatform(global_limit, per_chat)
            engine = build_engine(
                ctx,
                [platform],
                {},
                limits={Platform.TELEGRAM: (global_limit, per_chat, None)},
                batch_size=args.batch,
            )
            timings = Timings()
            timings.wrap(engine)
            started, ticks = asyncio.run(deliver(ctx, engine))
            with ctx.uow_factory() as uow:
                counts = uow.outbox.counts()
        finally:
            db_engine.dispose()
    n = len(platform.accepted)
    took = platform.accepted[-1] - started
    ideal = (math.ceil(n / global_limit.count) - 1) * global_limit.window
    duplicates = sum(c - 1 for c in platform.delivered.values() if c > 1)
    batches = len(timings.lease)
    print(
        f"\n== {kind}: {args.messages} {args.what} to {args.chats} chats, limit "
        f"{global_limit.count}/s in all and {per_chat.count}/s per chat, batch {args.batch}"
    )
    print(
        f"   delivered {n} ({counts}), duplicates {duplicates}, "
        f"over-limit sends seen by the platform: {platform.over_global} global, "
        f"{platform.over_chat} per chat"
    )
    print(
        f"   {took:.2f} s from the first tick to the last send ({ticks} ticks, {batches} "
        f"batches); a perfect sliding-window sender needs {ideal:.0f} s"
    )
    print(
        f"   first send {platform.accepted[0] - started:.2f} s after the tick started (sweeps and "
        f"the first lease+plan); from the first send, {ideal:.0f} / "
        f"{platform.accepted[-1] - platform.accepted[0]:.2f} s"
    )
    print(
        f"   achieved {n / took:.0f} msg/s; fraction of the limit = {ideal:.0f} / {took:.2f} "
        f"= {ideal / took:.3f}"
    )

    def ms(values: list[float]) -> str:
        return f"median {statistics.median(values) * 1000:.1f} ms, total {sum(values):.2f} s"

    print(
        f"   per batch: lease+plan {ms(timings.lease)} (overlaps the previous batch's "
        f"sending); send {ms(timings.send)}; record {ms(timings.record)}"
    )
    print(
        f"   recording, between one batch's sends and the next: {sum(timings.record) / took:.0%}"
        " of the run"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--chats", type=int, default=2_000)
    parser.add_argument("--rate", type=int, default=500)
    parser.add_argument("--per-chat", type=int, default=5)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--db", default="postgres,sqlite")
    parser.add_argument("--what", choices=["reminders", "news"], default="reminders")
    args = parser.parse_args()
    for kind in args.db.split(","):
        run(kind, args)


if __name__ == "__main__":
    main()
