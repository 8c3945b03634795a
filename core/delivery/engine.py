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
from datetime import datetime, timedelta

from core.delivery.comeback import RECIPIENT_UNREACHABLE
from core.delivery.feed_health import FEED_PROBLEM, feed_problem_notice, log_failed_send
from core.delivery.planning import Job, dead_letter_notice, plan_jobs
from core.delivery.poison import broken_notice, recheck
from core.delivery.ports import (
    Address,
    ChatProblem,
    RetryLater,
    Sender,
    SendError,
    Unreachable,
)
from core.delivery.ratelimit import RateLimiter
from core.delivery.retry import RetryPolicy
from core.errors import TemporaryFailure
from core.members import Identity, Platform
from core.notifications import Audience, Notification, NotificationStatus
from core.observe import observer
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
    # a shared chat (the mentors' feed) refused the bot: retried, admins told once
    chat_problems: list[tuple[Address, str]] = field(default_factory=list)


@dataclass
class BatchLease:
    """The lease of the batch being sent, as this process sees it (monotonic clock).

    Sends must start before ``deadline``; the rows' lease in the database runs out at
    ``expires`` at the earliest. Both move on each renewal. ``halted``: the database
    could not be reached, so nothing more goes out until what was sent is recorded.
    """

    deadline: float
    expires: float
    halted: bool = False


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
    # how often a batch still sending renews its lease (default: a quarter of the lease)
    renew_every: timedelta | None = None
    # batches sent (or leased) whose outcome the database could not take yet (an outage):
    # recorded before anything new is leased or sent
    unrecorded: list[tuple[list[Job], dict[int, Outcome]]] = field(
        default_factory=list, init=False, repr=False
    )
    # set by stop(): no new send starts, and what was leased goes back at once
    stopping: bool = field(default=False, init=False)

    def stop(self) -> None:
        """Shut down gracefully: the send under way in each chat finishes, the rest of the
        batch (and the batch leased ahead) is recorded as not reached, so its rows are
        due again at once for another worker instead of after the lease runs out."""
        self.stopping = True

    async def run_once(self) -> TickReport:
        report = await self.flush_unrecorded()
        leased, jobs, lease = await self._lease_batch()
        report.add(leased)
        if jobs:
            outcomes = await self._send_all(jobs, lease)
            recorded = await self._record_or_keep(jobs, outcomes, lease)
            if recorded is not None:
                report.add(recorded)
        return report

    async def flush_unrecorded(self) -> TickReport:
        """Record the batches an outage left in memory, oldest first.

        Raises ``TemporaryFailure`` while the database is still down: the tick then leases
        and sends nothing. Safe after the lease ran out, too: a row is only written while
        this process still owns it (another worker that took it over keeps its own say).
        """
        report = TickReport()
        while self.unrecorded:
            jobs, outcomes = self.unrecorded[0]
            recorded = TickReport()
            await asyncio.to_thread(self._record, jobs, outcomes, recorded)
            self.unrecorded.pop(0)
            report.add(recorded)
            logger.info("recorded %d notifications kept through a database outage", len(jobs))
        return report

    async def _record_or_keep(
        self, jobs: list[Job], outcomes: dict[int, Outcome], lease: BatchLease
    ) -> TickReport | None:
        """Record a batch; while the database is down, try again until it is back or the
        lease runs out, then keep the outcome in memory (None) for the next tick.

        (Issue 12: the worker failed once to record 200 sends and never tried again, so
        the rows were leased and sent again when the lease ran out: 400 sends.)
        """
        delay = 0.1
        warned = False
        while True:
            report = TickReport()
            try:
                await asyncio.to_thread(self._record, jobs, outcomes, report)
            except TemporaryFailure as exc:
                if not warned:
                    logger.warning(
                        "cannot record %d notifications (%s); kept in memory, recorded "
                        "as soon as the database is back",
                        len(jobs),
                        (exc.__cause__ or exc).__class__.__name__,
                    )
                    warned = True
                if time.monotonic() + delay >= lease.expires:
                    self.unrecorded.append((jobs, outcomes))
                    return None
                await asyncio.sleep(delay)
                delay = min(delay * 2, 1.0)
                continue
            if warned:
                logger.info("the database is back: recorded %d notifications", len(jobs))
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
        total = await self.flush_unrecorded()
        upcoming: asyncio.Task[tuple[TickReport, list[Job], BatchLease]] | None = (
            asyncio.create_task(self._lease_batch())
        )
        try:
            while upcoming is not None:
                report, jobs, lease = await upcoming
                upcoming = None
                total.add(report)
                if not jobs:
                    break
                if report.leased >= self.batch_size:
                    upcoming = asyncio.create_task(self._lease_batch())
                outcomes = await self._send_all(jobs, lease, upcoming)
                if upcoming is not None:
                    await asyncio.wait([upcoming])
                recorded = await self._record_or_keep(jobs, outcomes, lease)
                if recorded is None:  # the database is down: stop here
                    self._hand_back(upcoming)
                    upcoming = None
                    break
                total.add(recorded)
                if self.stopping:
                    total.add(await self._give_back(upcoming))
                    upcoming = None
                    break
        finally:
            if upcoming is not None:  # an error above: let the lease finish (it cannot be
                await asyncio.gather(upcoming, return_exceptions=True)  # stopped midway)
        return total

    async def _give_back(
        self, upcoming: asyncio.Task[tuple[TickReport, list[Job], BatchLease]] | None
    ) -> TickReport:
        """The batch leased ahead, unsent, due again at once (a graceful stop)."""
        if upcoming is None:
            return TickReport()
        leased, held, lease = await upcoming
        unsent = {job.notification.id or 0: Outcome(not_reached=True) for job in held}
        recorded = await self._record_or_keep(held, unsent, lease) if held else TickReport()
        leased.add(recorded or TickReport())
        return leased

    def _hand_back(
        self, upcoming: asyncio.Task[tuple[TickReport, list[Job], BatchLease]] | None
    ) -> None:
        """A batch leased while the last one could not be recorded is never sent: it is
        kept (as "not reached") to be given back with the kept outcomes."""
        if upcoming is None or upcoming.cancelled() or upcoming.exception() is not None:
            return
        _, held, _ = upcoming.result()
        if held:
            unsent = {job.notification.id or 0: Outcome(not_reached=True) for job in held}
            self.unrecorded.append((held, unsent))

    async def _lease_batch(self) -> tuple[TickReport, list[Job], BatchLease]:
        """Lease and plan a batch; its sends must end by the returned lease's deadline."""
        lease = self._lease_from(time.monotonic())
        report = TickReport()
        jobs = await asyncio.to_thread(self._lease_and_plan, report)
        return report, jobs, lease

    def _lease_from(self, started: float) -> BatchLease:
        seconds = self.lease.total_seconds()
        return BatchLease(deadline=started + seconds * 0.8, expires=started + seconds)

    def _renew(self, ids: list[int]) -> int:
        def once() -> int:
            with self.ctx.uow_factory() as uow:
                renewed = uow.outbox.renew(ids, self.owner, self.ctx.now() + self.lease)
                uow.commit()
            return renewed

        return run_retrying(once)

    async def _keep_lease(self, ids: list[int], lease: BatchLease, stop: asyncio.Event) -> None:
        """Renew the batch's lease while it is still sending, so no other worker takes its
        rows and sends them again; if the database cannot be reached, halt the sending
        (whatever goes out now could not be recorded)."""
        every = (self.renew_every or self.lease / 4).total_seconds()
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), every)
                return
            except TimeoutError:
                pass
            started = time.monotonic()
            try:
                await asyncio.to_thread(self._renew, ids)
            except Exception as exc:
                lease.halted = True
                logger.warning(
                    "cannot renew the lease of %d notifications (%s); sending stops until "
                    "what was sent is recorded",
                    len(ids),
                    (exc.__cause__ or exc).__class__.__name__,
                )
                return
            renewed = self._lease_from(started)
            lease.deadline, lease.expires = renewed.deadline, renewed.expires

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
            problems = {
                (address, reason)
                for outcome in outcomes.values()
                for address, reason in outcome.chat_problems
            }
            for address, reason in sorted(problems, key=lambda p: (p[0].key, p[1])):
                uow.notifications.add(feed_problem_notice(address, reason, now))
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
                    ok, buried = self._retry_or_bury(uow, n, job.broken, now, progress, counted)
                    if buried:
                        given_up.append(n)  # one notice for the pass (poison rows)
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
                    ok, buried = self._retry_or_bury(uow, n, outcome.error, now, progress, counted)
                    if buried and not outcome.chat_problems:  # those have their notice
                        self._notify_admins_of(uow, n)
                else:
                    status = NotificationStatus.SENT
                    note = None
                    if outcome.unreachable and not outcome.done:
                        status, note = NotificationStatus.SKIPPED, RECIPIENT_UNREACHABLE
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

    def _retry_or_bury(
        self,
        uow: UnitOfWork,
        n: Notification,
        error: str,
        now: datetime,
        progress: tuple[str, ...],
        counted: TickReport,
    ) -> tuple[bool, bool]:
        """A failed row: retried with backoff, or DEAD once its attempts are spent.
        Returns (written, buried); the caller says how admins hear of a burial."""
        assert n.id is not None
        if self.retry.is_last(n.attempts):
            n.last_error = error
            ok = uow.outbox.finish(n.id, self.owner, NotificationStatus.DEAD, now, error)
            counted.dead += ok
            return ok, ok
        ok = uow.outbox.retry_at(
            n.id,
            self.owner,
            now + self.retry.delay(n.attempts),
            error,
            refund_attempt=False,
            progress=progress,
        )
        counted.retried += ok
        return ok, False

    # ---------------------------------------------------------------- sending side

    async def _send_all(
        self,
        jobs: list[Job],
        lease: BatchLease,
        upcoming: asyncio.Task[tuple[TickReport, list[Job], BatchLease]] | None = None,
    ) -> dict[int, Outcome]:
        """Send a leased batch, renewing its lease meanwhile; a failed renewal, or a failed
        lease of the next batch, halts it (the database is down)."""
        if upcoming is not None:
            upcoming.add_done_callback(lambda task: _halt_if_failed(task, lease))
        stop = asyncio.Event()
        ids = [job.notification.id or 0 for job in jobs]
        keeper = asyncio.create_task(self._keep_lease(ids, lease, stop))
        try:
            return await self._send_jobs(jobs, lease)
        finally:
            stop.set()
            await asyncio.gather(keeper, return_exceptions=True)

    async def _send_jobs(self, jobs: list[Job], lease: BatchLease) -> dict[int, Outcome]:
        outcomes: dict[int, Outcome] = {}
        queues: dict[str, list[tuple[Job, Address]]] = defaultdict(list)
        for job in jobs:
            assert job.notification.id is not None
            outcomes[job.notification.id] = Outcome()
            if job.skip_reason is None:
                for address in job.addresses:
                    queues[address.key].append((job, address))
        await asyncio.gather(
            *(self._send_chat(queue, outcomes, lease) for queue in queues.values())
        )
        return outcomes

    async def _send_chat(
        self, queue: list[tuple[Job, Address]], outcomes: dict[int, Outcome], lease: BatchLease
    ) -> None:
        for index, (job, address) in enumerate(queue):
            outcome = outcomes[job.notification.id or 0]
            limiter = self.limiters[address.platform.value]
            # a slot after the deadline (a 429 block, or a full chat/group window: e.g. the
            # 21st post to a Telegram group within a minute) would be sent after the lease
            # ran out, when another process may already have taken the row: hand it back
            # (the limiter's wait includes a chat's 429 block)
            taken = None
            if not lease.halted and not self.stopping:
                taken = await limiter.acquire(address.key, address.is_group, lease.deadline)
            if taken is None or lease.halted or self.stopping:  # (also while waiting)
                if taken is not None:
                    limiter.release(address.key, taken)
                for later_job, _ in queue[index:]:
                    outcomes[later_job.notification.id or 0].not_reached = True
                return
            try:
                await self.senders[address.platform.value].send(
                    address, job.messages[address.key], job.notification
                )
            except RetryLater as exc:
                _observe(address, job, "rate_limited")
                log_failed_send(address, job.notification, str(exc))
                limiter.block(address.key, exc.seconds)
                for later_job, _ in queue[index:]:
                    outcomes[later_job.notification.id or 0].retry_after = exc.seconds
                return
            except ChatProblem as exc:
                # the feed refuses the bot: an admin can fix it, so every card waiting for
                # this chat is retried with backoff (the rest of the queue would fail alike)
                _observe(address, job, "chat_problem")
                log_failed_send(address, job.notification, exc.reason)
                for later_job, _ in queue[index:]:
                    later = outcomes[later_job.notification.id or 0]
                    later.error = f"{FEED_PROBLEM}{exc.reason}"
                    later.chat_problems.append((address, exc.reason))
                return
            except Unreachable as exc:
                # the person blocked us: the rest of this chat's queue would fail the same way
                _observe(address, job, "unreachable")
                log_failed_send(address, job.notification, f"unreachable ({exc})")
                for later_job, later_address in queue[index:]:
                    outcomes[later_job.notification.id or 0].unreachable.append(later_address)
                return
            except SendError as exc:
                _observe(address, job, "failed")
                log_failed_send(address, job.notification, str(exc) or exc.__class__.__name__)
                outcome.error = str(exc)[:500] or exc.__class__.__name__
                continue
            except Exception as exc:  # a sender bug must not stop the other chats
                _observe(address, job, "failed")
                log_failed_send(address, job.notification, exc.__class__.__name__)
                logger.exception("sender failed for notification %s", job.notification.id)
                outcome.error = f"{exc.__class__.__name__}: {exc}"[:500]
                continue
            finally:
                limiter.release(address.key, taken)
            _observe(address, job, "sent")
            outcome.done.append(address.key)


def _observe(address: Address, job: Job, outcome: str) -> None:
    kind = job.notification.kind
    observer().delivery(address.platform.value, str(getattr(kind, "value", kind)), outcome)


def _halt_if_failed(
    task: asyncio.Task[tuple[TickReport, list[Job], BatchLease]], lease: BatchLease
) -> None:
    """The next batch could not be leased: the database is down, stop sending this one."""
    if not task.cancelled() and task.exception() is not None:
        lease.halted = True


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
