"""Building a real service context over a test database, and the people and forms it needs.

Everything here goes through the services, as a front-end would, so a test that builds on
these helpers exercises the same paths as production. Engines made by :func:`make_context`
are disposed after each test by an autouse fixture in ``conftest.py``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from core.catalogue import Catalogue
from core.clock import MovableClock
from core.members import Identity, Platform
from core.policy import Policy
from core.requests import RequestDraft
from core.services.admin import grant_admin
from core.services.context import ServiceContext
from core.services.members import register_member
from core.services.mentors import add_availability, apply_as_mentor, decide_mentor
from db.engine import make_engine, make_session_factory
from db.unit_of_work import SqlAlchemyUnitOfWork

# A Monday; Europe/Berlin and America/New_York both change to summer time within the
# 60-day horizon, so long-running tests cross a DST change as a matter of course.
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

CATALOGUE = Catalogue.load()

# Every day of the week, all day: a mentor who can take any slot.
ALL_DAY: tuple[tuple[int, time, time], ...] = tuple(
    (weekday, time(0, 0), time(23, 59)) for weekday in range(7)
)
# Weekdays, a morning and an afternoon window (in the mentor's own zone).
OFFICE_HOURS: tuple[tuple[int, time, time], ...] = tuple(
    window
    for weekday in range(5)
    for window in ((weekday, time(9, 0), time(12, 0)), (weekday, time(14, 0), time(17, 0)))
)

_open_engines: list[Engine] = []
_external_ids = itertools.count(1)


def make_context(
    database_url: str,
    clock: MovableClock,
    pool_size: int = 10,
    *,
    max_overflow: int = 20,
    unit_of_work: type[SqlAlchemyUnitOfWork] = SqlAlchemyUnitOfWork,
    **policy_changes: Any,
) -> ServiceContext:
    """A ServiceContext over the real database at ``database_url``.

    The policy is the default one with no minimum notice (so a slot "now" is bookable),
    changed by ``policy_changes``. ``pool_size`` is how many connections may be open at
    once on PostgreSQL; race tests raise it so that every thread has its own. (SQLite keeps
    ``make_engine``'s default pool whatever ``pool_size`` says; there ``BEGIN IMMEDIATE``
    serializes the writers anyway, so threads beyond the pool just queue a little earlier.)
    ``unit_of_work`` lets a twin test swap in a deliberately broken subclass.
    """
    engine = make_engine(database_url, pool_size=pool_size, max_overflow=max_overflow)
    _open_engines.append(engine)
    sessions = make_session_factory(engine)
    policy = replace(Policy(min_notice=timedelta(0)), **policy_changes)
    return ServiceContext(
        uow_factory=lambda: unit_of_work(sessions),
        clock=clock,
        catalogue=CATALOGUE,
        policy=policy,
    )


def dispose_engines() -> None:
    while _open_engines:
        _open_engines.pop().dispose()


def _identity(name: str) -> Identity:
    return Identity(Platform.CONSOLE, f"{name}#{next(_external_ids)}")


def add_student(ctx: ServiceContext, name: str, timezone: str = "UTC") -> int:
    member, created = register_member(ctx, _identity(name), name, timezone)
    assert created
    return member.id


def add_admin(ctx: ServiceContext, name: str = "Admin") -> int:
    member_id = add_student(ctx, name)
    grant_admin(ctx, None, member_id)
    return member_id


def add_mentor(
    ctx: ServiceContext,
    admin_id: int,
    name: str,
    timezone: str = "Europe/Berlin",
    windows: Iterable[tuple[int, time, time]] = ALL_DAY,
    tags: Iterable[str] = ("python",),
) -> int:
    """A member who applied as a mentor, was approved by ``admin_id`` and set ``windows``."""
    member_id = add_student(ctx, name, timezone)
    apply_as_mentor(
        ctx,
        member_id,
        domain="Backend engineering",
        years_experience=7,
        bio="I have hired and mentored engineers for years.",
        expertise_tags=list(tags),
    )
    decide_mentor(ctx, admin_id, member_id, approve=True)
    for weekday, start, end in windows:
        add_availability(ctx, member_id, weekday, start, end)
    return member_id


def local_date(instant: datetime, timezone: str = "UTC") -> date:
    return instant.astimezone(ZoneInfo(timezone)).date()


EXTRA_VALUES = {
    "domain": "Backend",
    "experience": "Three years of Python, mostly Django.",
    "target_role": "Senior backend engineer",
    "organization": "ACME Corp",
    "message": "Please confirm I worked with you on the payments team.",
}


def valid_draft(
    today: date,
    session_type: str = "career-guidance",
    *,
    days: int = 14,
    starting_in: int = 0,
    **changes: Any,
) -> RequestDraft:
    """A form that passes validation: every extra field the type asks for is filled."""
    entry = CATALOGUE.get(session_type)
    assert entry is not None, session_type
    first = today + timedelta(days=starting_in)
    draft = RequestDraft(
        session_type=session_type,
        title="Help me prepare my next career step",
        description="I would like advice on moving from support into backend work.",
        extra={f.name: EXTRA_VALUES[f.name] for f in entry.extra_fields},
        duration_minutes=entry.default_duration,
        urgency="normal",
        available_from=first,
        available_until=first + timedelta(days=days),
        tags=["python", "career-change"],
    )
    return replace(draft, **changes)


def free_connections(database_url: str, keep: int = 5) -> int:
    """How many more connections the PostgreSQL server takes now, less ``keep`` for the
    rest of the test (a race needs one per thread, and a default server allows 100)."""
    engine = make_engine(database_url, pool_size=1, max_overflow=0)
    if engine.dialect.name != "postgresql":  # SQLite: one file, no connection limit
        engine.dispose()
        return 1000
    try:
        with engine.connect() as connection:
            limit = int(connection.exec_driver_sql("SHOW max_connections").scalar_one())
            used = int(
                connection.exec_driver_sql("SELECT count(*) FROM pg_stat_activity").scalar_one()
            )
    finally:
        engine.dispose()
    return max(limit - used - keep, 1)
