"""APScheduler only ticks: the database (here the fakes) is the schedule."""

from __future__ import annotations

import asyncio

from bot import worker
from bot.senders.recording import RecordingSender
from core.delivery.ports import Address
from core.members import Platform
from core.notifications import Audience
from core.services.requests import submit_request
from tests.unit.fakes import a_draft, add_student, make_context

FEED = Address(Platform.CONSOLE, "mentors", is_group=True)


async def test_the_scheduler_ticks_on_the_running_loop_and_delivers_due_messages():
    ctx = make_context()
    student = add_student(ctx)
    submit_request(ctx, student.id, a_draft())
    sender = RecordingSender()
    engine = worker.build_engine(ctx, [sender], {Audience.MENTORS: [FEED]})

    scheduler = worker.start_scheduler(ctx, engine, every_seconds=0.05)
    try:
        for _ in range(60):
            if sender.sent:
                break
            await asyncio.sleep(0.05)
    finally:
        scheduler.shutdown(wait=False)

    assert [s.address for s in sender.sent] == [FEED]
    assert "New mentorship request" in sender.sent[0].message.text


async def test_a_failing_tick_is_logged_and_the_next_tick_still_delivers(monkeypatch, caplog):
    ctx = make_context()
    student = add_student(ctx)
    submit_request(ctx, student.id, a_draft())
    sender = RecordingSender()
    engine = worker.build_engine(ctx, [sender], {Audience.MENTORS: [FEED]})
    real_sweeps = worker.run_sweeps
    failures = iter([RuntimeError("database restarting")])

    def flaky_sweeps(ctx_):
        for failure in failures:
            raise failure
        return real_sweeps(ctx_)

    monkeypatch.setattr(worker, "run_sweeps", flaky_sweeps)
    scheduler = worker.start_scheduler(ctx, engine, every_seconds=0.05)
    try:
        for _ in range(60):
            if sender.sent:
                break
            await asyncio.sleep(0.05)
    finally:
        scheduler.shutdown(wait=False)

    assert len(sender.sent) == 1
    assert "scheduled tick failed" in caplog.text
