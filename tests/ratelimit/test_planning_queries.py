"""Planning a batch costs a fixed number of queries, however many rows it holds.

The engine can only keep up with a platform's limit if the database work between two
batches is small (see benchmarks/delivery_rate.py): planning used to load the request,
the session and the people of every row one by one (six queries or more per reminder).
Here the 1 h and 24 h reminders of real sessions, booked through the services, are
leased and planned on SQLite and PostgreSQL: the statements counted for 3 sessions and
for 12 are the same, and what is planned is right (the 24 h reminders found 30 minutes
before the start give way to the 1 h ones; each 1 h reminder names its own session).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import event

from core.catalogue import Catalogue
from core.clock import MovableClock
from core.delivery.planning import plan_jobs
from core.members import Identity, Platform
from core.policy import Policy
from core.requests import RequestDraft
from core.services.claims import claim_request
from core.services.context import ServiceContext
from core.services.members import register_member
from core.services.mentors import add_availability, apply_as_mentor, decide_mentor
from core.services.requests import submit_request
from core.services.sessions import available_slots, schedule_session
from db.engine import make_engine, make_session_factory
from db.unit_of_work import SqlAlchemyUnitOfWork

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday


def book_sessions(ctx: ServiceContext, count: int, tag: str) -> tuple[list[int], datetime]:
    admin, _ = register_member(ctx, Identity(Platform.TELEGRAM, f"admin-{tag}"), "Ada", admin=True)
    sessions, starts = [], set()
    for i in range(count):
        student, _ = register_member(ctx, Identity(Platform.TELEGRAM, f"s-{tag}-{i}"), f"S{i}")
        mentor, _ = register_member(ctx, Identity(Platform.TELEGRAM, f"m-{tag}-{i}"), f"M{i}")
        apply_as_mentor(
            ctx, mentor.id, domain="Backend", years_experience=5, bio="Hi", expertise_tags=[]
        )
        decide_mentor(ctx, admin.id, mentor.id, approve=True)
        add_availability(ctx, mentor.id, 2, time(10), time(12))  # Wednesdays
        draft = RequestDraft(
            session_type="career-guidance",
            title=f"Career plan {tag}{i}",
            description="Moving into backend work.",
            duration_minutes=30,
            available_from=date(2026, 3, 4),
            available_until=date(2026, 3, 4),
        )
        request = submit_request(ctx, student.id, draft)
        claim_request(ctx, mentor.id, request.id)
        slot = available_slots(ctx, mentor.id, request.id)[0]
        sessions.append(schedule_session(ctx, mentor.id, request.id, slot).id)
        starts.add(slot)
    (start,) = starts
    return sessions, start


def plan_due(ctx: ServiceContext, engine, now: datetime) -> tuple[list, int]:
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    with ctx.uow_factory() as uow:
        leased = uow.outbox.lease_due(now, 500, "test", now + timedelta(minutes=1), 6)
        event.listen(engine, "before_cursor_execute", count)
        try:
            jobs = plan_jobs(uow, leased, {}, [Platform.TELEGRAM], ctx.catalogue, ctx.policy, now)
        finally:
            event.remove(engine, "before_cursor_execute", count)
    return jobs, len(statements)


def test_planning_a_batch_takes_the_same_queries_for_3_or_12_sessions(database_url):
    clock = MovableClock(START)
    engine = make_engine(database_url)
    try:
        sessions = make_session_factory(engine)
        ctx = ServiceContext(
            uow_factory=lambda: SqlAlchemyUnitOfWork(sessions),
            clock=clock,
            catalogue=Catalogue.load(),
            policy=Policy(min_notice=timedelta(0)),
        )
        results = {}
        for count, tag in ((3, "a"), (12, "b")):
            clock.set(START)
            booked, start = book_sessions(ctx, count, tag)
            clock.set(start - timedelta(minutes=30))
            # (the first round's rows stay leased: the second plans only its own)
            jobs, queries = plan_due(ctx, engine, ctx.now())
            reminders = [j for j in jobs if j.notification.kind.value == "reminder"]
            due = [j for j in reminders if j.notification.session_id in booked]
            assert len(due) == 4 * count  # 24 h and 1 h, to both people
            sent = [j for j in due if j.skip_reason is None]
            skipped = [j for j in due if j.skip_reason is not None]
            assert {j.notification.payload["offset_minutes"] for j in sent} == {60}
            assert {j.skip_reason for j in skipped} == {"superseded by the 60-minute reminder"}
            assert len(sent) == 2 * count
            with ctx.uow_factory() as uow:
                links = {s: uow.sessions.get(s).meeting_link for s in booked}
            for job in sent:
                (address,) = job.addresses
                text = job.messages[address.key].text
                assert links[job.notification.session_id] in text
                assert "starts in 30 minutes" in text  # the time really left when planned
            results[count] = queries
        assert results[3] == results[12], results
        # admins, requests, sessions, members: one statement each (a member's accounts
        # and mentor status come in the same statement as the member)
        assert results[12] == 4, results
    finally:
        engine.dispose()
