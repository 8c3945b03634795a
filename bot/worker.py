"""The scheduled-work loop: every few seconds, run the sweeps and deliver what is due.

APScheduler only ticks; the database is the schedule. Nothing is kept in APScheduler's
job store (its docs say a store cannot be shared between processes, and its misfire
grace time would drop work that fell due while the bot was down), so any number of
processes can run this loop against one PostgreSQL and any of them can be killed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import Mapping, Sequence
from datetime import timedelta

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_SUBMITTED,
    JobEvent,
)
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.config import Settings
from core.delivery.engine import DeliveryEngine, TickReport
from core.delivery.ports import Address, Sender
from core.delivery.ratelimit import Limit, RateLimiter
from core.delivery.retry import RetryPolicy
from core.members import Platform
from core.notifications import Audience
from core.services.context import ServiceContext
from core.services.sweeps import run_sweeps
from core.transactions import run_retrying
from db.frontend_state import FrontEndStore

logger = logging.getLogger(__name__)

# Published platform limits: Telegram ~30 messages/s per bot, 1/s per chat, 20/min per
# group; Slack ~1 message/s per channel. The console has none.
PLATFORM_LIMITS: dict[Platform, tuple[Limit | None, Limit | None, Limit | None]] = {
    Platform.TELEGRAM: (Limit(30, 1.0), Limit(1, 1.0), Limit(20, 60.0)),
    Platform.SLACK: (Limit(50, 1.0), Limit(1, 1.0), None),
    Platform.CONSOLE: (None, None, None),
}


def feeds_from_settings(settings: Settings) -> dict[Audience, list[Address]]:
    """Every mentors' feed of every platform, whichever sender this process has: a process
    posts to its own platform's feed and leaves the others to the processes that serve
    them (the row keeps which feeds are done)."""
    feeds = []
    if settings.telegram_mentors_chat_id:
        feeds.append(Address(Platform.TELEGRAM, settings.telegram_mentors_chat_id, True))
    if settings.slack_mentors_channel:
        feeds.append(Address(Platform.SLACK, settings.slack_mentors_channel, True))
    return {Audience.MENTORS: feeds} if feeds else {}


def platforms_from_settings(settings: Settings) -> frozenset[Platform]:
    """The chat platforms this deployment runs (a token is configured for each)."""
    found = set()
    if settings.telegram_token:
        found.add(Platform.TELEGRAM)
    if settings.slack_bot_token:
        found.add(Platform.SLACK)
    return frozenset(found)


def process_owner() -> str:
    """A lease owner name that is unique per process and readable in the database."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{secrets.token_hex(3)}"


def build_engine(
    ctx: ServiceContext,
    senders: Sequence[Sender],
    feeds: Mapping[Audience, Sequence[Address]],
    *,
    limits: Mapping[Platform, tuple[Limit | None, Limit | None, Limit | None]] | None = None,
    retry: RetryPolicy | None = None,
    batch_size: int = 200,
    lease: timedelta = timedelta(seconds=60),
    other_platforms: frozenset[Platform] = frozenset(),
) -> DeliveryEngine:
    table = dict(PLATFORM_LIMITS) | dict(limits or {})
    return DeliveryEngine(
        ctx=ctx,
        senders={s.platform.value: s for s in senders},
        limiters={
            s.platform.value: RateLimiter(*table[s.platform], name=s.platform.value)
            for s in senders
        },
        feeds=feeds,
        owner=process_owner(),
        retry=retry or RetryPolicy(),
        batch_size=batch_size,
        lease=lease,
        other_platforms=other_platforms - {s.platform for s in senders},
    )


async def tick(ctx: ServiceContext, engine: DeliveryEngine) -> TickReport:
    """One round: sends an outage left unrecorded are recorded first (before a sweep
    can change their rows), then the state-changing sweeps (they write notifications),
    then delivery until nothing more is due right now."""
    flushed = await engine.flush_unrecorded()
    await asyncio.to_thread(run_retrying, run_sweeps, ctx)
    report = await engine.run_until_idle()
    report.add(flushed)
    return report


def start_scheduler(
    ctx: ServiceContext,
    engine: DeliveryEngine,
    every_seconds: float = 5.0,
    store: FrontEndStore | None = None,
) -> AsyncIOScheduler:
    """Tick on the running event loop; one tick at a time, missed ticks merged."""
    scheduler = AsyncIOScheduler()

    async def guarded_tick() -> None:
        try:
            await tick(ctx, engine)
        except Exception:  # the loop must survive a bad tick (a database restart, ...)
            logger.exception("scheduled tick failed; the next one will try again")

    scheduler.add_job(
        guarded_tick,
        "interval",
        seconds=every_seconds,
        max_instances=1,
        coalesce=True,
        id="mentorbot-tick",
    )
    if store is not None:
        scheduler.add_job(
            forget_handled_updates,
            "interval",
            args=[ctx, store],
            hours=1,
            max_instances=1,
            coalesce=True,
            id="mentorbot-forget-handled",
        )
    scheduler.mentorbot_ticks = TicksInFlight(scheduler)
    scheduler.start()
    return scheduler


KEEP_HANDLED_UPDATES = timedelta(days=2)  # Telegram repeats an update for a day at most


async def forget_handled_updates(ctx: ServiceContext, store: FrontEndStore) -> int:
    """Drop idempotency keys older than two days, in slices (a long backlog is worked
    off over the following runs without one long transaction)."""
    try:
        removed = await asyncio.to_thread(store.forget_handled, ctx.now() - KEEP_HANDLED_UPDATES)
    except Exception:  # a database hiccup: the next run tries again
        logger.exception("forgetting old handled updates failed")
        return 0
    if removed:
        logger.info("forgot %d handled updates older than two days", removed)
    return removed


async def stop_scheduler(
    scheduler: AsyncIOScheduler,
    grace_seconds: float = 10.0,
    engine: DeliveryEngine | None = None,
) -> None:
    """No new ticks, and a tick under way finishes before the caller closes the database
    (cancelled, its sweeps would go on in their thread with a connection of a disposed
    pool). With ``engine``, the tick stops sending after the sends under way and gives
    back what it leased (``DeliveryEngine.stop``), so another worker takes it at once."""
    scheduler.pause()
    if engine is not None:
        engine.stop()
    ticks: TicksInFlight | None = getattr(scheduler, "mentorbot_ticks", None)
    if ticks is not None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(ticks.idle.wait(), grace_seconds)
    scheduler.shutdown(wait=False)


class TicksInFlight:
    """How many scheduled ticks are running, from APScheduler's job events."""

    def __init__(self, scheduler: AsyncIOScheduler) -> None:
        self.running = 0
        self.idle = asyncio.Event()
        self.idle.set()
        done = EVENT_JOB_EXECUTED | EVENT_JOB_ERROR
        scheduler.add_listener(self._seen, EVENT_JOB_SUBMITTED | done)

    def _seen(self, event: JobEvent) -> None:
        if event.code == EVENT_JOB_SUBMITTED:
            self.running += 1
            self.idle.clear()
            return
        self.running = max(self.running - 1, 0)
        if not self.running:
            self.idle.set()
