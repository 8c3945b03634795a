"""Shared set-up for the benchmarks: a migrated database on SQLite or PostgreSQL."""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import Engine, text

from core.catalogue import Catalogue
from core.clock import MovableClock
from core.members import Identity, Member, Platform
from core.policy import Policy
from core.services.admin import grant_admin
from core.services.context import ServiceContext
from core.services.members import register_member
from core.services.mentors import add_availability, apply_as_mentor, decide_mentor
from db.engine import make_engine, make_session_factory, normalize_url
from db.migrate import upgrade
from db.unit_of_work import SqlAlchemyUnitOfWork

POSTGRES_URL = os.environ.get(
    "TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday


@contextmanager
def database(kind: str, pool_size: int = 10) -> Iterator[str]:
    """A freshly migrated database URL: a temporary SQLite file or a private PG schema."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{folder}/bench.db"
            upgrade(url)
            yield url
        return
    schema = f"mb_bench_{os.getpid()}_{secrets.token_hex(3)}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = (
        normalize_url(POSTGRES_URL)
        .update_query_dict({"options": f"-csearch_path={schema}"})
        .render_as_string(hide_password=False)
    )
    try:
        upgrade(url)
        yield url
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def context_and_engine(
    url: str, clock: MovableClock, **engine_options: int
) -> tuple[ServiceContext, Engine]:
    """The services on a database, and the engine behind them (to dispose of it)."""
    engine = make_engine(url, **engine_options)
    sessions = make_session_factory(engine)
    ctx = ServiceContext(
        uow_factory=lambda: SqlAlchemyUnitOfWork(sessions),
        clock=clock,
        catalogue=Catalogue.load(),
        policy=Policy(min_notice=timedelta(0), max_active_requests=1000),
    )
    return ctx, engine


def context(url: str, clock: MovableClock, **engine_options: int) -> ServiceContext:
    return context_and_engine(url, clock, **engine_options)[0]


def server_connections(url: str) -> tuple[int, int, int]:
    """max_connections, superuser_reserved_connections, connections in use."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            row = connection.execute(
                text(
                    "SELECT current_setting('max_connections')::int,"
                    " current_setting('superuser_reserved_connections')::int,"
                    " (SELECT count(*) FROM pg_stat_activity)"
                )
            ).one()
    finally:
        engine.dispose()
    return int(row[0]), int(row[1]), int(row[2])


def people(ctx: ServiceContext, students: int, mentors: int) -> tuple[list[int], list[int]]:
    """Students and approved mentors who are free every day, all day."""
    admin, _ = register_member(ctx, Identity(Platform.CONSOLE, "admin"), "Admin")
    grant_admin(ctx, None, admin.id)
    student_ids = [
        register_member(
            ctx, Identity(Platform.CONSOLE, f"s{i}"), f"Student {i}", "America/New_York"
        )[0].id
        for i in range(students)
    ]
    mentor_ids = [
        approved_mentor(ctx, admin.id, Identity(Platform.CONSOLE, f"m{i}"), f"Mentor {i}").id
        for i in range(mentors)
    ]
    return student_ids, mentor_ids


def approved_mentor(ctx: ServiceContext, admin_id: int, identity: Identity, name: str) -> Member:
    """A mentor of python in Berlin, approved by ``admin_id``, free every day, all day."""
    member, _ = register_member(ctx, identity, name, "Europe/Berlin")
    apply_as_mentor(
        ctx, member.id, domain="Backend", years_experience=5, bio="Bench",
        expertise_tags=["python"],
    )  # fmt: skip
    decide_mentor(ctx, admin_id, member.id, approve=True)
    for weekday in range(7):
        add_availability(ctx, member.id, weekday, time(0, 0), time(23, 59))
    return member


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]
