"""Benchmark: one due-work sweep with 10 000 and with 1 000 000 notification rows (PostgreSQL).

    python benchmarks/sweep_scaling.py [--sizes 10000,1000000] [--repeat 30]

A sweep is what every process does on each tick before it sends anything:

- the engine's lease query: ``bury_abandoned`` then ``lease_due`` for a batch of 100, in
  one transaction (rolled back after timing, so every repetition finds the same due set);
- ``run_sweeps``: expiry, re-announcement and release of stale claims (committed; each
  repetition has 10 requests of its own that fall due and really expire).

Each database holds mostly history (SENT / CANCELLED / SKIPPED / DEAD rows over the past
year), 5 % pending rows due in the next 30 days, a due set of 100 rows plus 20 rows
abandoned at their last attempt, and one request per ten notifications (mostly closed,
a few hundred open or claimed). The rows are bulk-inserted with INSERT ... SELECT
generate_series. Both databases are built first and the repetitions alternate between
them, so other work on the machine weighs on both alike. If the sweep reads an index of
what is due rather than the table, the two sizes take about the same time; the query
plans show which index they read.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Engine, event, text

from benchmarks._common import START, database, people
from core.catalogue import Catalogue
from core.clock import MovableClock
from core.policy import Policy
from core.services.context import ServiceContext
from core.services.sweeps import run_sweeps
from db.engine import make_engine, make_session_factory
from db.unit_of_work import SqlAlchemyUnitOfWork

BATCH = 100
DUE = 100
ABANDONED = 20
MAX_ATTEMPTS = 6
OPEN_REQUESTS = 300
CLAIMED_REQUESTS = 50
PER_REPEAT = 10  # requests that expire in each repetition of run_sweeps


def make_context(url: str, clock: MovableClock) -> tuple[ServiceContext, Engine]:
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    ctx = ServiceContext(
        uow_factory=lambda: SqlAlchemyUnitOfWork(sessions),
        clock=clock,
        catalogue=Catalogue.load(),
        policy=Policy(min_notice=timedelta(0), max_active_requests=1000),
    )
    return ctx, engine


REQUEST_COLUMNS = (
    "student_id, session_type, title, description, extra, duration_minutes, urgency, "
    "available_from, available_until, tags, status, claimed_by, claimed_at, expires_at, "
    "quota_refunded, last_announced_at, is_deleted, created_at, updated_at"
)


def fill(engine: Engine, rows: int, students: list[int], mentors: list[int], repeat: int) -> None:
    now = START
    params = {"now": now, "students": students, "mentors": mentors, "k": len(students)}
    with engine.begin() as c:
        # requests: one per ten notifications, closed ones over the past year ...
        c.execute(
            text(
                f"INSERT INTO mentorship_requests ({REQUEST_COLUMNS}) "
                "SELECT (:students)[1 + g % :k], 'career-guidance', 'Old request ' || g, "
                "'History', '{}'::jsonb, 30, 'normal', (d)::date, (d)::date + 10, '[]'::jsonb, "
                "(ARRAY['COMPLETED','EXPIRED','CANCELLED','NO_SHOW'])[1 + g % 4], "
                "NULL, NULL, d + interval '7 days', false, NULL, false, d, d "
                "FROM generate_series(1, :n) g, "
                "LATERAL (SELECT CAST(:now AS timestamptz) - (10 + g % 365) * interval '1 day'"
                " AS d) x"
            ),
            params | {"n": rows // 10},
        )
        # ... a constant set of open and claimed ones, none due for anything yet ...
        c.execute(
            text(
                f"INSERT INTO mentorship_requests ({REQUEST_COLUMNS}) "
                "SELECT (:students)[1 + g % :k], 'career-guidance', 'Open request ' || g, "
                "'Waiting', '{}'::jsonb, 30, (ARRAY['low','normal','high'])[1 + g % 3], "
                "CAST(:now AS date), CAST(:now AS date) + 10, '[]'::jsonb, "
                "CASE WHEN g <= :claimed THEN 'CLAIMED' ELSE 'OPEN' END, "
                "CASE WHEN g <= :claimed THEN (:mentors)[1 + g % 5] END, "
                "CASE WHEN g <= :claimed THEN CAST(:now AS timestamptz) - interval '1 hour' END,"
                " CAST(:now AS timestamptz) + interval '6 days', false, NULL, false, "
                "CAST(:now AS timestamptz) - interval '1 hour', "
                "CAST(:now AS timestamptz) - interval '1 hour' "
                "FROM generate_series(1, :n) g"
            ),
            params | {"n": OPEN_REQUESTS, "claimed": CLAIMED_REQUESTS},
        )
        # ... and, per repetition, ten open requests that expire a minute apart
        c.execute(
            text(
                f"INSERT INTO mentorship_requests ({REQUEST_COLUMNS}) "
                "SELECT (:students)[1 + g % :k], 'career-guidance', 'Expiring ' || g, "
                "'Nobody came', '{}'::jsonb, 30, 'low', CAST(:now AS date), "
                "CAST(:now AS date) + 10, '[]'::jsonb, 'OPEN', NULL, NULL, "
                "CAST(:now AS timestamptz) + (g / :per) * interval '1 minute', false, NULL, "
                "false, CAST(:now AS timestamptz) - interval '7 days', "
                "CAST(:now AS timestamptz) - interval '7 days' "
                "FROM generate_series(0, :n - 1) g"
            ),
            params | {"n": PER_REPEAT * (repeat + 1), "per": PER_REPEAT},
        )
        history = rows - rows // 20 - DUE - ABANDONED
        notification = (
            "INSERT INTO notifications (audience, recipient_id, kind, payload, due_at, "
            "dedup_key, status, attempts, lease_until, lease_owner, last_error, created_at, "
            "sent_at) "
        )
        # history: 80 % SENT, the rest CANCELLED, SKIPPED and a few DEAD
        c.execute(
            text(
                notification + "SELECT 'member', (:students)[1 + g % :k], 'reminder', "
                "'{}'::jsonb, d, 'hist:' || g, s, 1, NULL, NULL, NULL, d - interval '1 day', "
                "CASE WHEN s = 'SENT' THEN d END "
                "FROM generate_series(1, :n) g, LATERAL (SELECT "
                "CAST(:now AS timestamptz) - (g % 525600) * interval '1 minute' AS d, "
                "CASE WHEN g % 10 < 8 THEN 'SENT' WHEN g % 10 = 8 THEN 'CANCELLED' "
                "WHEN g % 1000 = 9 THEN 'DEAD' ELSE 'SKIPPED' END AS s) x"
            ),
            params | {"n": history},
        )
        # pending, due within the next 30 days
        c.execute(
            text(
                notification + "SELECT 'member', (:students)[1 + g % :k], 'reminder', "
                "'{}'::jsonb, CAST(:now AS timestamptz) + (1 + g % 43200) * interval '1 minute',"
                " 'future:' || g, 'PENDING', 0, NULL, NULL, NULL, :now, NULL "
                "FROM generate_series(1, :n) g"
            ),
            params | {"n": rows // 20},
        )
        # the due set, and rows a dead process left at their last attempt
        c.execute(
            text(
                notification + "SELECT 'member', (:students)[1 + g % :k], 'mentor_approved', "
                "'{}'::jsonb, CAST(:now AS timestamptz) - g * interval '1 second', "
                "'due:' || g, 'PENDING', 0, NULL, NULL, NULL, :now, NULL "
                "FROM generate_series(1, :n) g"
            ),
            params | {"n": DUE},
        )
        c.execute(
            text(
                notification + "SELECT 'member', (:students)[1 + g % :k], 'mentor_approved', "
                "'{}'::jsonb, CAST(:now AS timestamptz) - interval '1 hour', "
                "'abandoned:' || g, 'PENDING', :max, "
                "CAST(:now AS timestamptz) - interval '10 minutes', 'crashed:1', NULL, :now, "
                "NULL FROM generate_series(1, :n) g"
            ),
            params | {"n": ABANDONED, "max": MAX_ATTEMPTS},
        )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(text("VACUUM ANALYZE notifications"))
        c.execute(text("VACUUM ANALYZE mentorship_requests"))


def lease_sweep(ctx: ServiceContext) -> tuple[float, int, int]:
    """bury_abandoned + lease_due(100), timed, then rolled back (the uow does not commit)."""
    now = ctx.now()
    with ctx.uow_factory() as uow:
        started = time.perf_counter()
        buried = uow.outbox.bury_abandoned(now, MAX_ATTEMPTS)
        leased = uow.outbox.lease_due(
            now, BATCH, "bench", now + timedelta(seconds=60), MAX_ATTEMPTS
        )
        took = time.perf_counter() - started
    return took, len(leased), len(buried)


def captured_lease_sql(ctx: ServiceContext, engine: Engine) -> list[tuple[str, dict]]:
    statements: list[tuple[str, dict]] = []

    def capture(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip().upper().startswith("UPDATE NOTIFICATIONS"):
            statements.append((statement, dict(parameters)))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        lease_sweep(ctx)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    return statements


def explain(engine: Engine, statement: str, parameters: dict) -> str:
    with engine.connect() as c:
        transaction = c.begin()
        plan = c.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
        lines = [row[0] for row in plan]
        transaction.rollback()
    return "\n".join(lines)


def partial_index(engine: Engine) -> str:
    with engine.connect() as c:
        return str(
            c.execute(
                text(
                    "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() "
                    "AND tablename = 'notifications' AND indexdef LIKE '%(due_at)%WHERE%PENDING%'"
                )
            ).scalar_one()
        )


def table_sizes(engine: Engine) -> str:
    with engine.connect() as c:
        found = c.execute(
            text(
                "SELECT (SELECT count(*) FROM notifications), "
                "(SELECT count(*) FROM notifications WHERE status = 'PENDING'), "
                "(SELECT count(*) FROM mentorship_requests), "
                "pg_size_pretty(pg_total_relation_size('notifications')), "
                "pg_size_pretty(pg_relation_size(:index))"
            ),
            {"index": partial_index(engine)},
        ).one()
    return (
        f"{found[0]} notifications ({found[1]} PENDING), {found[2]} requests; "
        f"notifications table+indexes {found[3]}, partial due_at index {found[4]}"
    )


@dataclass
class Size:
    rows: int
    ctx: ServiceContext
    engine: Engine
    clock: MovableClock
    lease: list[float] = field(default_factory=list)
    sweeps: list[float] = field(default_factory=list)

    def measure(self, i: int) -> None:
        """One repetition: a lease sweep at START, then run_sweeps as request i expires."""
        self.clock.set(START)
        took, leased, buried = lease_sweep(self.ctx)
        assert (leased, buried) == (BATCH, ABANDONED), (leased, buried)
        self.lease.append(took)
        self.clock.set(START + timedelta(minutes=i, seconds=30))
        started = time.perf_counter()
        report = run_sweeps(self.ctx)
        self.sweeps.append(time.perf_counter() - started)
        assert len(report.expired) == PER_REPEAT, report
        self.clock.set(START)


def prepare(stack: ExitStack, rows: int, repeat: int) -> Size:
    clock = MovableClock(START)
    url = stack.enter_context(database("postgres"))
    ctx, engine = make_context(url, clock)
    stack.callback(engine.dispose)
    students, mentors = people(ctx, students=50, mentors=5)
    started = time.perf_counter()
    fill(engine, rows, students, mentors, repeat)
    print(f"\n== {rows:,} notification rows (filled in {time.perf_counter() - started:.1f} s)")
    print("   " + table_sizes(engine))
    for _ in range(5):  # warm the cache and the connection pool
        lease_sweep(ctx)
        clock.set(START - timedelta(minutes=1))  # nothing expires yet
        run_sweeps(ctx)
    clock.set(START)
    return Size(rows, ctx, engine, clock)


def report(size: Size, show_plan: bool) -> None:
    def ms(values: list[float]) -> str:
        return (
            f"median {statistics.median(values) * 1000:.2f} ms, "
            f"min {min(values) * 1000:.2f} ms, max {max(values) * 1000:.2f} ms"
        )

    print(f"\n== {size.rows:,} notification rows")
    print(f"   lease sweep (bury_abandoned + lease_due {BATCH}): {ms(size.lease)}")
    print(f"   run_sweeps (expires {PER_REPEAT} requests each time): {ms(size.sweeps)}")
    index = partial_index(size.engine)
    statements = captured_lease_sql(size.ctx, size.engine)
    plans = [explain(size.engine, sql, parameters) for sql, parameters in statements]
    assert index in plans[-1], f"the lease query does not use {index}"
    assert all(index in plan for plan in plans)
    if show_plan:
        names = ["bury_abandoned", "lease_due"]
        for name, (sql, _), plan in zip(names, statements, plans, strict=True):
            print(f"\n   EXPLAIN (ANALYZE, BUFFERS) of {name}:")
            print("   " + " ".join(sql.split()))
            print("\n".join("     " + line for line in plan.splitlines()))
    print(f"   both plans read the partial index {index} (due_at WHERE status='PENDING')")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    with ExitStack() as stack:
        prepared = [prepare(stack, rows, args.repeat) for rows in sizes]
        # interleaved, so that whatever else the machine does weighs on both sizes alike
        for i in range(args.repeat):
            for size in prepared:
                size.measure(i)
        for size in prepared:
            report(size, show_plan=size is prepared[-1])
        small, large = prepared[0], prepared[-1]
        print(f"\n== ratio {large.rows:,} rows / {small.rows:,} rows (median times)")
        for what in ("lease", "sweeps"):
            a = statistics.median(getattr(small, what)) * 1000
            b = statistics.median(getattr(large, what)) * 1000
            print(f"   {what:<7} {a:8.2f} ms -> {b:8.2f} ms: ratio {b / a:.2f}")


if __name__ == "__main__":
    main()
