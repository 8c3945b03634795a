"""A cancel that meets a worker recording its sends neither waits nor deadlocks (issue 12,
defect 6: in a soak, 20 deadlocks, each a service cancelling a request's pending
notifications against a worker recording its sends; 18 reached people as "busy").

The collision, made deterministic on PostgreSQL: the worker's transaction holds the
request's last pending row; the student withdraws the request (which cancels its pending
rows); then the worker goes on to the request's first row. Before the fix the cancel
waited for the last row while holding the first: a deadlock, and "busy" for the student.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import update

from core.errors import TemporaryFailure
from core.notifications import Kind, NotificationStatus, to_member
from core.services.requests import cancel_request
from core.transactions import ConflictFailure, note_commit, run_retrying
from db.models import NotificationRow
from db.repositories.outbox import SqlOutboxRepository

OWNER = "worker-under-test"


def test_withdrawing_while_a_worker_records_its_sends_is_never_busy(open_world, pg_url):
    world = open_world(pg_url)
    world.populate(students=1, mentors=1)
    student = world.students[0]
    request = world.submit(student)
    later = world.clock.now() + timedelta(hours=1)
    with world.ctx.uow_factory() as uow:
        for i in range(3):
            uow.notifications.add(
                to_member(Kind.MENTOR_NUDGE, student, later, f"extra-{i}", request_id=request.id)
            )
        uow.commit()
    rows = world.rows(NotificationRow.request_id == request.id, NotificationRow.status == "PENDING")
    assert len(rows) >= 3
    first, last = rows[0].id, rows[-1].id
    with world.sessions.begin() as db:  # the worker leased them all
        db.execute(
            update(NotificationRow)
            .where(NotificationRow.id.in_([r.id for r in rows]))
            .values(lease_owner=OWNER, lease_until=later)
        )

    outcome: dict[str, object] = {}

    def student_withdraws() -> None:
        started = time.monotonic()
        try:
            run_retrying(cancel_request, world.ctx, student, request.id)
        except TemporaryFailure as failure:  # what a person would be shown as "busy"
            outcome["error"] = failure
        outcome["seconds"] = time.monotonic() - started

    worker = world.sessions()
    try:
        outbox = SqlOutboxRepository(worker)
        now = world.clock.now()
        assert outbox.finish(last, OWNER, NotificationStatus.SENT, now)  # holds the last row
        service = threading.Thread(target=student_withdraws)
        service.start()
        service.join(timeout=3)
        finished_before_the_worker = not service.is_alive()
        # the worker records its next row: the first one (which the cancel may hold)
        worker_error = None
        try:
            outbox.finish(first, OWNER, NotificationStatus.SENT, now)
            worker.commit()
        except Exception as exc:  # a deadlock, if the cancel waited for the last row
            worker_error = exc
            worker.rollback()
        service.join(timeout=30)
    finally:
        worker.close()

    assert "error" not in outcome, outcome.get("error")
    assert worker_error is None, worker_error
    assert finished_before_the_worker  # the cancel did not wait for the worker's row
    after = {r.id: r.status for r in world.rows(NotificationRow.id.in_([r.id for r in rows]))}
    assert after[last] == "SENT"  # it was on its way out: the worker's record stands
    # the first was cancelled while the worker was sending it: it did go out, and the
    # worker's record says so (it used to stay CANCELLED, with no sent_at)
    assert after[first] == "SENT"
    assert all(status == "CANCELLED" for id_, status in after.items() if id_ not in (first, last))


def test_a_conflict_is_retried_until_it_passes_but_never_after_a_commit():
    calls = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise ConflictFailure()
        return "done"

    assert run_retrying(flaky) == "done"
    assert len(calls) == 3

    def committed_then_conflicted() -> None:
        calls.append(1)
        note_commit()
        raise ConflictFailure()

    calls.clear()
    with pytest.raises(ConflictFailure):
        run_retrying(committed_then_conflicted)
    assert len(calls) == 1  # a service that committed something is not run twice

    def always() -> None:
        calls.append(1)
        raise ConflictFailure()

    calls.clear()
    with pytest.raises(ConflictFailure):
        run_retrying(always)
    assert len(calls) == 5  # bounded
