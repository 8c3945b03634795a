"""A real database, the services over it, and the people the delivery tests need.

Everything that changes state goes through ``core.services`` (as a front-end would), so
the notification rows the tests deliver are exactly the ones production writes. Everyone
has a console identity, so the planner always finds a chat for them; everyone lives in
UTC and mentors are free all day, every day, so slot arithmetic stays out of the way.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time as wallclock
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.senders.recording import RecordingSender
from bot.worker import build_engine, tick
from core.catalogue import Catalogue
from core.clock import MovableClock
from core.delivery.engine import DeliveryEngine, TickReport
from core.delivery.ports import Address
from core.members import Identity, Platform
from core.notifications import Audience, NotificationStatus
from core.policy import Policy
from core.requests import MentorshipRequest, RequestDraft
from core.services.claims import claim_request
from core.services.context import ServiceContext
from core.services.members import register_member
from core.services.mentors import add_availability, apply_as_mentor, decide_mentor
from core.services.requests import submit_request
from core.services.sessions import schedule_session
from core.sessions import MentorshipSession
from db.engine import make_engine, make_session_factory
from db.models import NotificationRow, TransitionEventRow
from db.unit_of_work import SqlAlchemyUnitOfWork

REPO_ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = Catalogue.load()
# A Monday in winter: no DST change anywhere near, and every zone here is UTC anyway.
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
MENTORS_FEED = Address(Platform.CONSOLE, "mentors", True)
FEEDS: dict[Audience, list[Address]] = {Audience.MENTORS: [MENTORS_FEED]}
PENDING = NotificationStatus.PENDING.value


def relaxed_policy(**changes: Any) -> Policy:
    """The default policy, with no minimum notice and no cap on open requests."""
    return replace(Policy(min_notice=timedelta(0), max_active_requests=100_000), **changes)


@dataclass
class World:
    """One database seen through the services, plus direct reads for the assertions."""

    url: str
    clock: MovableClock
    engine: Engine
    sessions: sessionmaker[Session]
    ctx: ServiceContext
    admin_id: int = 0
    students: list[int] = field(default_factory=list)
    mentors: list[int] = field(default_factory=list)

    @classmethod
    def open(cls, url: str, start: datetime = START, pool_size: int = 5) -> World:
        clock = MovableClock(start)
        engine = make_engine(url, pool_size=pool_size, max_overflow=5)
        sessions = make_session_factory(engine)
        ctx = ServiceContext(
            uow_factory=lambda: SqlAlchemyUnitOfWork(sessions),
            clock=clock,
            catalogue=CATALOGUE,
            policy=relaxed_policy(),
        )
        return cls(url, clock, engine, sessions, ctx)

    def close(self) -> None:
        self.engine.dispose()

    # ------------------------------------------------------------ people

    def member(self, external_id: str, *, admin: bool = False) -> int:
        identity = Identity(Platform.CONSOLE, external_id)
        member, _ = register_member(self.ctx, identity, external_id.title(), "UTC", admin=admin)
        return member.id

    def populate(self, students: int, mentors: int) -> None:
        """An admin, ``students`` students and ``mentors`` approved mentors free all day."""
        self.admin_id = self.member("admin", admin=True)
        self.students = [self.member(f"student-{i}") for i in range(students)]
        for i in range(mentors):
            mentor_id = self.member(f"mentor-{i}")
            apply_as_mentor(
                self.ctx,
                mentor_id,
                domain="Backend",
                years_experience=6,
                bio="Happy to help.",
                expertise_tags=["python"],
            )
            decide_mentor(self.ctx, self.admin_id, mentor_id, approve=True)
            for weekday in range(7):
                add_availability(self.ctx, mentor_id, weekday, time(0, 0), time(23, 59))
            self.mentors.append(mentor_id)

    # ------------------------------------------------------------ requests and sessions

    def submit(
        self,
        student_id: int,
        *,
        urgency: str = "normal",
        first_day: date | None = None,
        days: int = 14,
        title: str = "Help me plan my move into backend work",
    ) -> MentorshipRequest:
        first = first_day or self.clock.now().date()
        draft = RequestDraft(
            session_type="career-guidance",
            title=title,
            description="I would like advice on moving from support into backend work.",
            duration_minutes=30,
            urgency=urgency,
            available_from=first,
            available_until=first + timedelta(days=days),
            tags=["python"],
            # these students take any hour (the delivery tests book round the clock)
            student_hours="00:00-24:00",
        )
        return submit_request(self.ctx, student_id, draft)

    def book(self, student_id: int, mentor_id: int, start: datetime) -> MentorshipSession:
        """Submit, claim and schedule a 30-minute session at ``start`` (a :00 or :30)."""
        request = self.submit(student_id, first_day=start.date(), days=0)
        claim_request(self.ctx, mentor_id, request.id)
        return schedule_session(self.ctx, mentor_id, request.id, start)

    # ------------------------------------------------------------ reading the outcome

    def rows(self, *conditions: Any) -> list[NotificationRow]:
        with self.sessions() as session:
            query = select(NotificationRow).where(*conditions).order_by(NotificationRow.id)
            return list(session.scalars(query))

    def events(self, *conditions: Any) -> list[TransitionEventRow]:
        with self.sessions() as session:
            query = select(TransitionEventRow).where(*conditions).order_by(TransitionEventRow.id)
            return list(session.scalars(query))

    def due_pending(self, now: datetime | None = None) -> int:
        with self.sessions() as session:
            query = select(func.count()).where(
                NotificationRow.status == PENDING,
                NotificationRow.due_at <= (now or self.clock.now()),
            )
            return int(session.scalar(query) or 0)

    # ------------------------------------------------------------ delivering in-process

    def engine_with(
        self, sender: RecordingSender, *, batch_size: int = 200, lease_seconds: float = 60
    ) -> DeliveryEngine:
        return build_engine(
            self.ctx,
            [sender],
            FEEDS,
            batch_size=batch_size,
            lease=timedelta(seconds=lease_seconds),
        )

    def drain(self, engine: DeliveryEngine, *, sweeps: bool = True, rounds: int = 50) -> TickReport:
        """Tick (or only deliver) until nothing is due at the clock's time; the totals."""
        total = TickReport()
        for _ in range(rounds):
            if sweeps:
                report = asyncio.run(tick(self.ctx, engine))
            else:
                report = asyncio.run(engine.run_once())
            for name in vars(total):
                setattr(total, name, getattr(total, name) + getattr(report, name))
            if self.due_pending() == 0 and report.leased == 0:
                return total
        raise AssertionError(f"still {self.due_pending()} due rows after {rounds} rounds")


# ---------------------------------------------------------------- worker processes


def spawn_worker(
    url: str,
    log: Path,
    clock: datetime,
    *,
    anchor: float,
    output: Path,
    lease_seconds: float = 30,
    batch_size: int = 50,
    delay: float = 0.005,
    extra: Sequence[str] = (),
) -> subprocess.Popen[bytes]:
    """Start ``tests/support/worker_process.py`` as a real OS process."""
    command = [
        sys.executable,
        "-m",
        "tests.support.worker_process",
        "--url",
        url,
        "--log",
        str(log),
        "--clock",
        clock.isoformat(),
        "--anchor",
        repr(anchor),
        "--lease-seconds",
        str(lease_seconds),
        "--batch-size",
        str(batch_size),
        "--delay",
        str(delay),
        *extra,
    ]
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    with output.open("ab") as sink:
        return subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=sink, stderr=sink)


def wait_all(processes: Iterable[subprocess.Popen[bytes]], timeout: float) -> list[int]:
    """Return codes, killing (and failing on) any process still running after ``timeout``."""
    deadline = wallclock.monotonic() + timeout
    codes = []
    for process in processes:
        try:
            codes.append(process.wait(max(0.1, deadline - wallclock.monotonic())))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise AssertionError(f"worker {process.pid} did not finish in {timeout} s") from None
    return codes


def read_log(path: Path) -> list[dict[str, Any]]:
    """The recording senders' JSON lines (one per message that reached a chat)."""
    if not path.exists():
        return []
    lines = path.read_text().splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def book_many(
    world: World, bookings: Sequence[tuple[int, int, datetime]], threads: int = 8
) -> None:
    """Book many sessions through the services, one thread per (student, mentor) pair."""
    by_pair: dict[tuple[int, int], list[datetime]] = {}
    for student_id, mentor_id, start in bookings:
        by_pair.setdefault((student_id, mentor_id), []).append(start)

    def book_pair(pair: tuple[int, int]) -> None:
        for start in by_pair[pair]:
            world.book(pair[0], pair[1], start)

    with ThreadPoolExecutor(max_workers=threads) as pool:
        for future in [pool.submit(book_pair, pair) for pair in by_pair]:
            future.result()
