"""Leases left behind by processes, rescued or left alone by one delivery tick.

A process that died leaves rows PENDING with a lease that runs out; one that is alive
holds a lease still in the future. The rows are written with those leases directly (as a
crash would leave them), then one ``run_once`` must: send the stale ones, leave the fresh
ones to their owner, and bury the ones whose last attempt died, telling the admins.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import update

from bot.senders.recording import RecordingSender
from core.delivery.retry import RetryPolicy
from core.members import Platform
from core.notifications import Kind, NotificationStatus, to_member
from db.models import NotificationRow
from tests.support.delivery_world import START, World

MAX = RetryPolicy().max_attempts
CRASHED = "host:4242:dead00"  # the lease owner of a process that was killed
ALIVE = "host:4343:a11ve0"  # the lease owner of a process still sending


def _write(world: World, student_ids: list[int], tag: str) -> list[int]:
    """One 'you are approved' message per student, due a minute ago; their ids."""
    due = world.clock.now() - timedelta(minutes=1)
    with world.ctx.uow_factory() as uow:
        for student_id in student_ids:
            uow.notifications.add(to_member(Kind.MENTOR_APPROVED, student_id, due, tag))
        uow.commit()
    rows = world.rows(NotificationRow.dedup_key.like(f"%:{tag}:%"))
    assert len(rows) == len(student_ids)
    return [r.id for r in rows]


def _lease(world: World, ids: list[int], owner: str, until: timedelta, attempts: int) -> None:
    with world.sessions.begin() as session:
        session.execute(
            update(NotificationRow)
            .where(NotificationRow.id.in_(ids))
            .values(lease_owner=owner, lease_until=world.clock.now() + until, attempts=attempts)
        )


def test_one_tick_rescues_stale_leases_leaves_fresh_ones_and_buries_last_attempts(
    database_url: str, open_world: Callable[..., World]
) -> None:
    world = open_world(database_url, START)
    world.populate(students=9, mentors=0)
    s = world.students
    stale = _write(world, s[0:3], "stale")
    fresh = _write(world, s[3:5], "fresh")
    last = _write(world, s[5:7], "last")
    last_but_alive = _write(world, s[7:8], "last-alive")
    never_leased = _write(world, s[8:9], "new")
    _lease(world, stale, CRASHED, -timedelta(seconds=30), attempts=2)
    _lease(world, fresh, ALIVE, timedelta(minutes=2), attempts=1)
    _lease(world, last, CRASHED, -timedelta(seconds=30), attempts=MAX)
    _lease(world, last_but_alive, ALIVE, timedelta(minutes=2), attempts=MAX)

    sender = RecordingSender(platform=Platform.CONSOLE)
    engine = world.engine_with(sender)
    report = asyncio.run(engine.run_once())
    rows = {r.id: r for r in world.rows()}
    sent = Counter(item.notification.id for item in sender.sent)

    # Rescued: sent once each, to the right person, recorded under the new owner.
    for row_id in stale + never_leased:
        row = rows[row_id]
        assert row.status == "SENT" and sent[row_id] == 1
        assert row.lease_owner == engine.owner and row.sent_at == world.clock.now()
    assert rows[stale[0]].attempts == 3  # the crashed attempts still count
    to = {item.notification.id: item.address.chat_id for item in sender.sent}
    assert [to[i] for i in stale] == ["student-0", "student-1", "student-2"]

    # Untouched: another process holds them; nothing sent, lease and attempts as they were.
    for row_id in fresh + last_but_alive:
        row = rows[row_id]
        assert row.status == "PENDING" and sent[row_id] == 0
        assert row.lease_owner == ALIVE
        assert row.lease_until == world.clock.now() + timedelta(minutes=2)
    assert rows[fresh[0]].attempts == 1

    # Dead: their last attempt died with its process; not sent, the admins are told once.
    for row_id in last:
        row = rows[row_id]
        assert row.status == "DEAD" and sent[row_id] == 0
        assert row.last_error == "the sending process stopped"
    notices = [r for r in rows.values() if r.kind == Kind.DELIVERY_FAILED.value]
    assert sorted(r.dedup_key for r in notices) == sorted(
        f"{Kind.DELIVERY_FAILED}:n{i}:admins" for i in last
    )
    admin_texts = [i.message.text for i in sender.sent if i.address.chat_id == "admin"]
    assert sorted(admin_texts) == [
        f"A message could not be delivered after {MAX} attempts: mentor_approved to "
        f"Student-{n} (the sending process stopped)."
        for n in (5, 6)
    ]
    assert all(rows[n.id].status == "SENT" for n in notices)
    assert (report.sent, report.dead, report.lost_lease) == (4 + 2, 2, 0)

    # The crashed process, were it to come back, no longer owns what it had leased.
    with world.ctx.uow_factory() as uow:
        assert not uow.outbox.finish(stale[0], CRASHED, NotificationStatus.SENT, START)
        uow.commit()

    # A second tick at the same instant changes nothing: the fresh lease still holds.
    again = asyncio.run(engine.run_once())
    assert again.leased == 0 and len(sender.sent) == sum(sent.values())

    # Once the live owner's lease runs out (it died too), its rows are taken over.
    world.clock.advance(timedelta(minutes=3))
    asyncio.run(engine.run_once())
    rows = {r.id: r for r in world.rows()}
    sent = Counter(item.notification.id for item in sender.sent)
    assert all(rows[i].status == "SENT" and sent[i] == 1 for i in fresh)
    assert rows[last_but_alive[0]].status == "DEAD" and sent[last_but_alive[0]] == 0
    assert max(sent.values()) == 1
