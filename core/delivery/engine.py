"""The delivery engine: lease due rows, send them within the platforms' limits, record.

One ``run_once`` is one batch; ``run_until_idle`` (what each tick runs) takes batches until
one comes back short. Database work runs in worker threads (the services are
synchronous); sends run concurrently, one queue per chat, so a chat that is slow or
rate-limited holds up nobody else. Everything a batch decides is written back before the
lease runs out; what is not reached in time is handed back for the next tick.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from core.delivery.planning import Job, dead_letter_notice, plan_jobs
from core.delivery.poison import broken_notice, recheck
from core.delivery.ports import Address, RetryLater, Sender, SendError, Unreachable
from core.delivery.ratelimit import RateLimiter
from core.delivery.retry import RetryPolicy
from core.members import Identity, Platform
from core.notifications import Audience, Notification, NotificationStatus
from core.ports import UnitOfWork
from core.services.context import ServiceContext
from core.transactions import run_retrying

logger = logging.getLogger(__name__)
HAND_ON_DELAY = timedelta(seconds=15)


@dataclass
class Outcome:
    """What happened to one job during this tick."""

    done: list[str] = field(default_factory=list)  # address keys delivered
    retry_after: float | None = None  # a 429: seconds
    error: str | None = None  # a failure worth retrying
    unreachable: list[Address] = field(default_factory=list)
    not_reached: bool = False  # the tick ran out of time before this job's turn


@dataclass
class TickReport:
    leased: int = 0
    sent: int = 0
    skipped: int = 0
    retried: int = 0
    dead: int = 0
    lost_lease: int = 0

    def add(self, other: TickReport) -> None:
        for name, value in vars(other).items():
            setattr(self, name, getattr(self, name) + value)


@dataclass
class DeliveryEngine:
    ctx: ServiceContext
    senders: Mapping[str, Sender]  # by platform value
    limiters: Mapping[str, RateLimiter]  # by platform value
    feeds: Mapping[Audience, Sequence[Address]]
    owner: str
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    batch_size: int = 200
    lease: timedelta = timedelta(seconds=60)
    # platforms other processes of this deployment send to: rows for them are handed on
    other_platforms: frozenset[Platform] = frozenset()

    async def run_once(self) -> TickReport:
        report, jobs, deadline = await self._lease_batch()
        if jobs:
            outcomes = await self._send_all(jobs, deadline)
            await asyncio.to_thread(self._record, jobs, outcomes, report)
        return report

    async def run_until_idle(self) -> TickReport:
        """Batches until one comes back short, the next one leased and planned while the
        current one sends, so the database time does not come out of the sending time.

        (Batch after batch, the database time came between the sends: 10 000 reminders at
        a 500/s limit reached 0.3-0.6 of it on PostgreSQL; see benchmarks/delivery_rate.py.)
        At most one batch is held ahead, and every batch is recorded before the next one
        sends, so a process that dies has at most one batch sent but unrecorded. One
        database thread at a time: the next lease is waited for before a batch is recorded
        (two threads at once only fought over the GIL with the sending loop, and over
        SQLite's write lock).
        """
        total = TickReport()
        upcoming: asyncio.Task[tuple[TickReport, list[Job], float]] | None = asyncio.create_task(
            self._lease_batch()
        )
        try:
            while upcoming is not None:
                report, jobs, deadline = await upcoming
                upcoming = None
                total.add(report)
                if not jobs:
                    break
                if report.leased >= self.batch_size:
                    upcoming = asyncio.create_task(self._lease_batch())
                outcomes = await self._send_all(jobs, deadline)
                if upcoming is not None:
                    await asyncio.wait([upcoming])
                recorded = TickReport()
                await asyncio.to_thread(self._record, jobs, outcomes, recorded)
                total.add(recorded)
        finally:
            if upcoming is not None:  # an error above: let the lease finish (it cannot be
                await asyncio.gather(upcoming, return_exceptions=True)  # stopped midway)
        return total

    async def _lease_batch(self) -> tuple[TickReport, list[Job], float]:
        """Lease and plan a batch; its sends must end by the returned (monotonic) deadline."""
        deadline = time.monotonic() + self.lease.total_seconds() * 0.8
        report = TickReport()
        jobs = await asyncio.to_thread(self._lease_and_plan, report)
        return report, jobs, deadline

    # ---------------------------------------------------------------- database side

    def _lease_and_plan(self, report: TickReport) -> list[Job]:
        """Lease and plan in one transaction, run again (with fresh counts) after a
        deadlock: nothing of it is committed until the end."""
        counted = TickReport()
        jobs = run_retrying(self._lease_and_plan_once, counted)
        report.add(counted)
        return jobs

    def _lease_and_plan_once(self, counted: TickReport) -> list[Job]:
        report = counted
        report.dead = report.leased = 0
        now = self.ctx.now()
        platforms = [s.platform for s in self.senders.values()]
        with self.ctx.uow_factory() as uow:
            for dead in uow.outbox.bury_abandoned(now, self.retry.max_attempts):
                report.dead += 1
                self._notify_admins_of(uow, dead)
            leased = uow.outbox.lease_due(
                now, self.batch_size, self.owner, now + self.lease, self.retry.max_attempts
            )
            report.leased = len(leased)
            jobs = plan_jobs(
                uow,
                leased,
                self.feeds,
                platforms,
                self.ctx.catalogue,
                self.ctx.policy,
                now,
                self.other_platforms,
            )
            uow.commit()
        return jobs

    def _notify_admins_of(self, uow: UnitOfWork, dead: Notification) -> None:
        name = "the mentors' feed"
        if dead.recipient_id is not None:
            member = uow.members.get(dead.recipient_id)
            name = member.display_name if member else f"member {dead.recipient_id}"
        notice = dead_letter_notice(dead, name)
        if notice is not None:
            uow.notifications.add(notice)

    def _record(self, jobs: list[Job], outcomes: dict[int, Outcome], report: TickReport) -> None:
        """Write back what the batch did, retried as a whole on a deadlock (nothing of it
        is committed until the end). Rows are locked in one global order, members before
        notifications and notifications by id, the order the services lock them in."""
        run_retrying(self._record_once, jobs, outcomes, report)

    def _record_once(
        self, jobs: list[Job], outcomes: dict[int, Outcome], report: TickReport
    ) -> None:
        now = self.ctx.now()
        counted = TickReport()
        given_up: list[Notification] = []
        jobs = sorted(jobs, key=lambda j: j.notification.id or 0)
        with self.ctx.uow_factory() as uow:
            unreachable = {
                (address.platform, address.chat_id)
                for outcome in outcomes.values()
                for address in outcome.unreachable
            }
            for platform, chat_id in sorted(unreachable):
                uow.members.mark_unreachable(Identity(platform, chat_id), now)
            back_to_pending = [j.notification for j in jobs if _goes_back(j, outcomes)]
            moot = recheck(uow, back_to_pending, now, self.ctx.policy)
            for job in jobs:
                n = job.notification
                assert n.id is not None
                outcome = outcomes.get(n.id, Outcome())
                progress = tuple(dict.fromkeys((*n.progress, *outcome.done)))
                if n.id in moot:  # it changed meanwhile (a cancel skipped the locked row)
                    ok = uow.outbox.finish(
                        n.id, self.owner, NotificationStatus.SKIPPED, now, moot[n.id]
                    )
                    counted.skipped += ok
                elif job.broken is not None:
                    if self.retry.is_last(n.attempts):
                        n.last_error = job.broken
                        ok = uow.outbox.finish(
                            n.id, self.owner, NotificationStatus.DEAD, now, job.broken
                        )
                        if ok:
                            given_up.append(n)
                        counted.dead += ok
                    else:
                        ok = uow.outbox.retry_at(
                            n.id,
                            self.owner,
                            now + self.retry.delay(n.attempts),
                            job.broken,
                            refund_attempt=False,
                            progress=progress,
                        )
                        counted.retried += ok
                elif job.skip_reason is not None:
                    ok = uow.outbox.finish(
                        n.id, self.owner, NotificationStatus.SKIPPED, now, job.skip_reason
                    )
                    counted.skipped += ok
                elif outcome.retry_after is not None or outcome.not_reached:
                    wait = timedelta(seconds=outcome.retry_after or 0)
                    ok = uow.outbox.retry_at(
                        n.id,
                        self.owner,
                        now + wait,
                        "rate limited" if wait else None,
                        refund_attempt=True,
                        progress=progress,
                    )
                    counted.retried += ok
                elif job.elsewhere and outcome.error is None:
                    # another process serves those platforms: hand the rest on, unspent
                    ok = uow.outbox.retry_at(
                        n.id,
                        self.owner,
                        now + HAND_ON_DELAY,
                        f"waiting for a {job.elsewhere[0].platform.value} sender",
                        refund_attempt=True,
                        progress=progress,
                    )
                    counted.retried += ok
                elif outcome.error is not None:
                    if self.retry.is_last(n.attempts):
                        n.last_error = outcome.error
                        ok = uow.outbox.finish(
                            n.id, self.owner, NotificationStatus.DEAD, now, outcome.error
                        )
                        if ok:
                            self._notify_admins_of(uow, n)
                        counted.dead += ok
                    else:
                        ok = uow.outbox.retry_at(
                            n.id,
                            self.owner,
                            now + self.retry.delay(n.attempts),
                            outcome.error,
                            refund_attempt=False,
                            progress=progress,
                        )
                        counted.retried += ok
                else:
                    status = NotificationStatus.SENT
                    note = None
                    if outcome.unreachable and not outcome.done:
                        status, note = NotificationStatus.SKIPPED, "recipient unreachable"
                    ok = uow.outbox.finish(n.id, self.owner, status, now, note)
                    if status == NotificationStatus.SENT:
                        counted.sent += ok
                    else:
                        counted.skipped += ok
                counted.lost_lease += not ok
            if given_up:
                notice = broken_notice(given_up, now)
                uow.notifications.add(notice)
            uow.commit()
        report.add(counted)  # only once the pass is committed: a retried pass counts once

    # ---------------------------------------------------------------- sending side

    async def _send_all(self, jobs: list[Job], deadline: float) -> dict[int, Outcome]:
        outcomes: dict[int, Outcome] = {}
        queues: dict[str, list[tuple[Job, Address]]] = defaultdict(list)
        for job in jobs:
            assert job.notification.id is not None
            outcomes[job.notification.id] = Outcome()
            if job.skip_reason is None:
                for address in job.addresses:
                    queues[address.key].append((job, address))
        await asyncio.gather(
            *(self._send_chat(queue, outcomes, deadline) for queue in queues.values())
        )
        return outcomes

    async def _send_chat(
        self, queue: list[tuple[Job, Address]], outcomes: dict[int, Outcome], deadline: float
    ) -> None:
        for index, (job, address) in enumerate(queue):
            outcome = outcomes[job.notification.id or 0]
            limiter = self.limiters[address.platform.value]
            # a slot after the deadline (a 429 block, or a full chat/group window: e.g. the
            # 21st post to a Telegram group within a minute) would be sent after the lease
            # ran out, when another process may already have taken the row: hand it back
            # (the limiter's wait includes a chat's 429 block)
            taken = await limiter.acquire(address.key, address.is_group, deadline)
            if taken is None:
                for later_job, _ in queue[index:]:
                    outcomes[later_job.notification.id or 0].not_reached = True
                return
            try:
                await self.senders[address.platform.value].send(
                    address, job.messages[address.key], job.notification
                )
            except RetryLater as exc:
                limiter.block(address.key, exc.seconds)
                for later_job, _ in queue[index:]:
                    outcomes[later_job.notification.id or 0].retry_after = exc.seconds
                return
            except Unreachable:
                # the person blocked us: the rest of this chat's queue would fail the same way
                for later_job, later_address in queue[index:]:
                    outcomes[later_job.notification.id or 0].unreachable.append(later_address)
                return
            except SendError as exc:
                outcome.error = str(exc)[:500] or exc.__class__.__name__
                continue
            except Exception as exc:  # a sender bug must not stop the other chats
                logger.exception("sender failed for notification %s", job.notification.id)
                outcome.error = f"{exc.__class__.__name__}: {exc}"[:500]
                continue
            finally:
                limiter.release(address.key, taken)
            outcome.done.append(address.key)


def _goes_back(job: Job, outcomes: Mapping[int, Outcome]) -> bool:
    """Will recording this job put its row back to PENDING (to be sent later)?"""
    if job.broken is not None or job.skip_reason is not None:
        return False
    outcome = outcomes.get(job.notification.id or 0, Outcome())
    return bool(
        outcome.retry_after is not None
        or outcome.not_reached
        or outcome.error is not None
        or (job.elsewhere and outcome.error is None)
    )
