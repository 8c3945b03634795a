"""A database outage during delivery (issue 12, "a database outage doubles a batch").

Before the fix the worker kept sending while PostgreSQL was down, failed once to record
the sends and never tried again; when the lease ran out the rows were taken again and
every message of the batch went out twice. Here the test stops its own PostgreSQL
cluster (never the shared server) in the middle of a slow batch and starts it again a
few seconds later, with no restart of the worker. Expected: nothing lost, duplicates at
most the sends that were in flight when the database went away, and the same engine
carries on once the database is back.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from bot.worker import build_engine, tick
from core.delivery.messages import Message
from core.delivery.ports import Address
from core.delivery.ratelimit import Limit
from core.errors import TemporaryFailure
from core.members import Platform
from core.notifications import Kind, NotificationStatus, to_member
from db.models import NotificationRow
from tests.delivery.private_cluster import PrivateCluster
from tests.support.delivery_world import FEEDS, START, World

MESSAGES = 120
RATE = 20  # sends a second: the batch takes about 6 s
STOP_AFTER = 40  # sends before the database goes away
DOWN_FOR = 3.0  # seconds
LEASE = timedelta(seconds=8)  # longer than the outage, shorter than the batch


class FollowingClock:
    """Wall time, starting at START: leases run out as they would in production."""

    def __init__(self) -> None:
        self._zero = time.monotonic()

    def now(self) -> datetime:
        return START + timedelta(seconds=time.monotonic() - self._zero)


@dataclass
class OutageSender:
    """Sends slowly; at the STOP_AFTER-th send it stops the cluster, and starts it again
    DOWN_FOR seconds later. Counts the sends under way at the moment of failure."""

    cluster: PrivateCluster
    platform: Platform = Platform.CONSOLE
    sent: list[str] = field(default_factory=list)
    in_flight: int = 0
    in_flight_at_failure: int = 0
    stopped: bool = False
    restarted: threading.Event = field(default_factory=threading.Event)

    async def send(self, address: Address, message: Message, notification: object) -> None:
        self.in_flight += 1
        try:
            await asyncio.sleep(0.01)
            if len(self.sent) == STOP_AFTER and not self.stopped:
                self.stopped = True
                self.in_flight_at_failure = self.in_flight
                await asyncio.to_thread(self.cluster.stop)
                threading.Timer(DOWN_FOR, self._restart).start()
            self.sent.append(getattr(notification, "dedup_key", ""))
        finally:
            self.in_flight -= 1

    def _restart(self) -> None:
        self.cluster.start()
        self.restarted.set()


def test_a_database_outage_during_delivery_loses_nothing_and_doubles_nothing(
    cluster, open_world, caplog
):
    world: World = open_world(cluster.url)
    world.ctx = replace(world.ctx, clock=FollowingClock())
    world.populate(students=MESSAGES, mentors=0)
    now = world.ctx.now()
    with world.ctx.uow_factory() as uow:
        uow.notifications.add_many(
            [
                to_member(Kind.MENTOR_APPROVED, student, now, f"outage:{student}")
                for student in world.students
            ]
        )
        uow.commit()
    keys = {r.dedup_key for r in world.rows(NotificationRow.dedup_key.like("%outage:%"))}
    assert len(keys) == MESSAGES
    sender = OutageSender(cluster)
    engine = build_engine(
        world.ctx,
        [sender],  # type: ignore[list-item]
        FEEDS,
        limits={Platform.CONSOLE: (Limit(RATE, 1.0), None, None)},
        lease=LEASE,
    )
    engine.renew_every = timedelta(seconds=0.3)

    async def work() -> None:
        """The scheduler's loop: tick after tick, a failed tick logged and survived."""
        give_up = time.monotonic() + 60
        while time.monotonic() < give_up:
            try:
                await tick(world.ctx, engine)
            except TemporaryFailure:
                await asyncio.sleep(0.5)
                continue
            if sender.restarted.is_set() and world.due_pending(world.ctx.now()) == 0:
                return
            await asyncio.sleep(0.2)

    asyncio.run(work())
    # a few more ticks: a row handed back twice would show up as a duplicate now
    for _ in range(3):
        asyncio.run(tick(world.ctx, engine))

    assert sender.stopped and sender.restarted.is_set()
    rows = world.rows(NotificationRow.dedup_key.like("%outage:%"))
    assert {r.status for r in rows} == {NotificationStatus.SENT.value}  # recovered, no restart
    assert set(sender.sent) >= keys  # 0 lost
    doubled = len([k for k in sender.sent if k in keys]) - len(keys)
    assert doubled <= sender.in_flight_at_failure, (doubled, sender.in_flight_at_failure)
    assert doubled == 0  # the outage was shorter than the lease: every send was recorded
    assert not engine.unrecorded
    assert any(
        "cannot record" in r.getMessage() or "cannot renew" in r.getMessage()
        for r in caplog.records
    )
