"""One bad row fails alone (issue 12, "one bad row stops all delivery, for everyone").

A batch of 121 due rows: 118 ordinary ones, one for a member whose stored zone is unknown,
and two poison rows (one whose text raises while it is rendered, one whose catch-up check
raises). Before the fix the first raise rolled back the whole batch: nothing went out,
the rows stayed PENDING with 0 attempts, and no admin was told.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import update

from bot.senders.recording import RecordingSender
from core.notifications import Audience, Kind, to_audience, to_member
from db.models import MemberRow, NotificationRow
from tests.support.delivery_world import START

GOOD = 118


def test_a_poisoned_batch_delivers_the_rest_and_buries_the_poison(open_world, database_url, caplog):
    world = open_world(database_url)
    world.populate(students=GOOD, mentors=1)
    lost = world.students[0]
    request = world.submit(lost)
    session = world.book(world.students[1], world.mentors[0], START + timedelta(days=2))
    bad_zone = f"Mars/Olympus_{uuid.uuid4().hex[:6]}"  # unknown to every zone database
    with world.sessions.begin() as db:  # stored before zones were checked on write
        db.execute(update(MemberRow).where(MemberRow.id == lost).values(timezone=bad_zone))
    now = world.clock.now()
    with world.ctx.uow_factory() as uow:
        good = [
            to_member(Kind.MENTOR_APPROVED, student, now, f"test-good:{student}")
            for student in world.students
        ]
        uow.notifications.add_many(good)
        uow.notifications.add(
            to_member(Kind.EXPIRY_WARNING, lost, now, "test-zone", request_id=request.id)
        )
        # render raises: a stored payload no text can use
        uow.notifications.add(
            to_audience(
                Kind.MENTOR_APPLIED, Audience.ADMINS, now, "test-render", mentor_id="not an id"
            )
        )
        # the catch-up check raises: a reminder whose offset is not a number
        uow.notifications.add(
            to_member(
                Kind.REMINDER,
                world.students[1],
                now,
                "test-check",
                session_id=session.id,
                offset_minutes="soon",
            )
        )
        uow.commit()
    keys = {r.dedup_key for r in world.rows(NotificationRow.dedup_key.like("%test-good%"))}
    (zone_key,) = [r.dedup_key for r in world.rows(NotificationRow.dedup_key.like("%test-zone%"))]
    poison = {r.dedup_key for r in world.rows(NotificationRow.dedup_key.like("%test-render%"))}
    poison |= {r.dedup_key for r in world.rows(NotificationRow.dedup_key.like("%test-check%"))}
    assert len(keys) == GOOD and len(poison) == 2
    sender = RecordingSender()
    engine = world.engine_with(sender)

    with caplog.at_level(logging.WARNING):
        first = asyncio.run(engine.run_until_idle())

    delivered = {s.notification.dedup_key for s in sender.sent}
    assert keys <= delivered  # all 118 within one tick
    assert zone_key in delivered  # the unknown zone is shown in UTC, with a warning
    (zone_text,) = [s.message.text for s in sender.sent if s.notification.dedup_key == zone_key]
    assert "(UTC)" in zone_text
    assert any("unknown stored time zone" in r.getMessage() for r in caplog.records)
    assert first.retried >= 2
    rows = {r.dedup_key: r for r in world.rows(NotificationRow.dedup_key.in_(poison))}
    assert {r.status for r in rows.values()} == {"PENDING"}
    assert {r.attempts for r in rows.values()} == {1}
    assert all("could not be prepared" in (r.last_error or "") for r in rows.values())

    for _ in range(10):  # past every backoff: each tick tries the poison again
        world.clock.advance(timedelta(minutes=31))
        asyncio.run(engine.run_until_idle())

    rows = {r.dedup_key: r for r in world.rows(NotificationRow.dedup_key.in_(poison))}
    assert {r.status for r in rows.values()} == {"DEAD"}
    assert {r.attempts for r in rows.values()} == {engine.retry.max_attempts}
    notices = world.rows(NotificationRow.kind == Kind.DELIVERY_BROKEN.value)
    assert len(notices) == 1 and notices[0].status == "SENT"
    assert notices[0].payload["count"] == 2
    assert not world.rows(NotificationRow.kind == Kind.DELIVERY_FAILED.value)
    told = [s for s in sender.sent if s.notification.kind == Kind.DELIVERY_BROKEN]
    assert len(told) == 1 and "2 messages could not be prepared" in told[0].message.text
    # the good rows went out once each
    assert sorted(
        k for k in (s.notification.dedup_key for s in sender.sent) if k in keys
    ) == sorted(keys)


@pytest.mark.parametrize("zone", ["Mars/Olympus", "", "../etc/passwd", "UTC+3"])
def test_an_unknown_stored_zone_is_shown_in_utc(zone):
    from core.timefmt import local_time, short_time

    assert local_time(START, zone).endswith("(UTC)")
    assert short_time(START, zone) == "Mon 2 Mar 08:00"
