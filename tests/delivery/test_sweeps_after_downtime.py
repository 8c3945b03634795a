"""After downtime a request past its expiry is expired, never announced (issue 12, defect 9).

Before the fix, requests already past their expiry went to the mentors with a Claim
button about a second before they expired, 50 of 50: the expiry sweep took one batch,
the re-announcement took the rest, and the planner sent an announcement for any request
still OPEN, whatever its expiry.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.senders.recording import RecordingSender
from core.notifications import Kind
from core.services.sweeps import run_sweeps
from db.models import MentorshipRequestRow as RequestRow
from db.models import NotificationRow

OFFERS = {Kind.REQUEST_POSTED, Kind.REQUEST_REANNOUNCED, Kind.REQUEST_MATCHED, Kind.REQUEST_FOR_YOU}


def test_fifty_requests_past_expiry_are_expired_not_reannounced(open_world, database_url):
    world = open_world(database_url)
    world.populate(students=50, mentors=2)
    ids = [world.submit(s, urgency="high").id for s in world.students]
    sender = RecordingSender()
    engine = world.engine_with(sender)
    world.drain(engine, sweeps=False)  # announced once, while everything was up
    sender.sent.clear()

    world.clock.advance(world.ctx.policy.expiry_after + timedelta(minutes=1))  # 7 days down
    report = run_sweeps(world.ctx, batch_size=20)  # smaller batches than the backlog

    assert sorted(report.expired) == sorted(ids)
    assert report.reannounced == []
    with world.sessions() as db:
        statuses = {r.status for r in db.query(RequestRow).filter(RequestRow.id.in_(ids))}
    assert statuses == {"EXPIRED"}
    assert not world.rows(NotificationRow.kind == Kind.REQUEST_REANNOUNCED.value)
    world.drain(engine)
    offered = [s for s in sender.sent if s.notification.kind in OFFERS]
    assert offered == []
    told = [s for s in sender.sent if s.notification.kind == Kind.REQUEST_EXPIRED]
    assert len(told) == len(ids)


def test_an_announcement_found_due_after_the_expiry_is_skipped_before_any_sweep(
    open_world, database_url
):
    world = open_world(database_url)
    world.populate(students=1, mentors=1)
    request = world.submit(world.students[0])
    # the bot was down from the moment it was posted until past the request's expiry
    world.clock.advance(world.ctx.policy.expiry_after + timedelta(seconds=1))
    sender = RecordingSender()
    engine = world.engine_with(sender)

    asyncio.run(engine.run_once())  # a worker that delivers before any sweep ran

    offered = [s for s in sender.sent if s.notification.kind in OFFERS]
    assert offered == []
    rows = world.rows(
        NotificationRow.request_id == request.id,
        NotificationRow.kind.in_([k.value for k in OFFERS]),
    )
    assert rows and {r.status for r in rows} == {"SKIPPED"}
    assert {r.last_error for r in rows} == {"the request has already expired"}
