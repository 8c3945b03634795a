"""What the soak's people do: real service calls, made the way the front-ends make them.

Every call goes through ``core.transactions.run_retrying`` on a worker thread
(``asyncio.to_thread``), exactly as ``bot/handlers/slack/common.py`` ``call`` does, so a
deadlock is retried before anyone sees it. One operation is one person's action: a read
(their list, the queue, the slots) and then the write it leads to.

Outcomes: ``ok`` (the write happened), ``idle`` (nothing to act on), ``refused`` (a
``DomainError``: already claimed, a limit, a slot taken meanwhile; normal under
concurrency) and ``error`` (a ``TemporaryFailure``, the "busy, try again" a person
would see, or any other exception: a bug reaching a person).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

from core.errors import DomainError, TemporaryFailure
from core.lifecycle import RequestStatus, SessionStatus
from core.requests import RequestDraft
from core.services.claims import (
    claim_request,
    my_claims,
    open_requests_for_mentor,
    release_request,
)
from core.services.context import ServiceContext
from core.services.hiding import withdraw_request
from core.services.outcomes import rate_session, record_outcome
from core.services.requests import cancel_request, my_requests, submit_request
from core.services.sessions import available_slots, my_sessions, schedule_session
from core.sessions import Outcome
from core.transactions import run_retrying

logger = logging.getLogger(__name__)
T = TypeVar("T")

OK, IDLE, REFUSED, ERROR = "ok", "idle", "refused", "error"
UNFINISHED = (RequestStatus.OPEN, RequestStatus.CLAIMED, RequestStatus.SCHEDULED)
FINISHED = (
    RequestStatus.COMPLETED,
    RequestStatus.NO_SHOW,
    RequestStatus.EXPIRED,
    RequestStatus.CANCELLED,
)
MAX_ERRORS_KEPT = 20

# (session type, extra fields it asks for): mostly unlimited types, some interview prep
# (3 per student: "limit reached" refusals are part of the mix)
SESSION_TYPES: tuple[tuple[str, dict[str, str]], ...] = (
    ("career-guidance", {}),
    ("career-guidance", {}),
    ("resume-review", {}),
    ("industry-insights", {}),
    (
        "MOCK_INTERVIEW",
        {
            "domain": "Backend",
            "experience": "Three years of Python, mostly Django.",
            "target_role": "Senior backend engineer",
        },
    ),
)


@dataclass
class Tally:
    """Operations by kind and outcome, and the first errors in detail."""

    ops: defaultdict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    errors: list[dict[str, str]] = field(default_factory=list)
    error_count: int = 0

    def count(self, kind: str, outcome: str) -> None:
        self.ops[kind][outcome] += 1

    def error(self, kind: str, exc: BaseException) -> None:
        self.count(kind, ERROR)
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            cause = exc.__cause__
            self.errors.append(
                {
                    "kind": kind,
                    "error": exc.__class__.__name__,
                    "busy": str(isinstance(exc, TemporaryFailure)),
                    "cause": cause.__class__.__name__ if cause is not None else "",
                    "detail": str(cause or exc)[:300],
                }
            )


@dataclass
class People:
    """The students and mentors one task acts as (mentors claim from everyone's queue)."""

    students: list[int]
    mentors: list[int]

    def share(self, index: int, of: int) -> People:
        """The ``index``-th of ``of`` disjoint parts (each person acts one thing at a time)."""
        return People(self.students[index::of], self.mentors[index::of])


class Operations:
    """One person's action at a time, chosen at random with fixed weights."""

    def __init__(
        self, ctx: ServiceContext, people: People, rng: random.Random, tally: Tally
    ) -> None:
        self.ctx = ctx
        self.people = people
        self.rng = rng
        self.tally = tally
        self.submitted = 0
        self.kinds: dict[str, tuple[float, Callable[[], Awaitable[str]]]] = {
            "submit": (4, self.submit),
            "claim": (4, self.claim),
            "schedule": (3, self.schedule),
            "complete": (3, self.complete),
            "rate": (2, self.rate),
            "cancel": (1.5, self.cancel),
            "withdraw": (1.5, self.withdraw),
            "release": (0.5, self.release),
        }

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """A synchronous core service off the event loop, retried on a deadlock."""
        return await asyncio.to_thread(run_retrying, fn, self.ctx, *args, **kwargs)

    async def one(self) -> str:
        """Pick an operation, run it, count its outcome; returns the kind."""
        names = list(self.kinds)
        kind = self.rng.choices(names, weights=[self.kinds[n][0] for n in names])[0]
        try:
            outcome = await self.kinds[kind][1]()
        except DomainError:
            outcome = REFUSED
        except Exception as exc:  # what a person would see as "busy" or an apology
            logger.error("soak %s failed", kind, exc_info=True)
            self.tally.error(kind, exc)
            return kind
        self.tally.count(kind, outcome)
        return kind

    def student(self) -> int:
        return self.rng.choice(self.people.students)

    def mentor(self) -> int:
        return self.rng.choice(self.people.mentors)

    # ---------------------------------------------------------------- students

    async def submit(self) -> str:
        session_type, extra = self.rng.choice(SESSION_TYPES)
        entry = self.ctx.catalogue.get(session_type)
        assert entry is not None, session_type
        today = self.ctx.now().date()
        self.submitted += 1
        draft = RequestDraft(
            session_type=session_type,
            title=f"Soak request {self.submitted}: help me plan my next step",
            description="I would like advice on moving from support into backend work.",
            extra=dict(extra),
            duration_minutes=entry.default_duration,
            urgency=self.rng.choice(("low", "normal", "normal", "high")),
            available_from=today,
            available_until=today + timedelta(days=14),
            tags=["python"],
            student_hours="00:00-24:00",
        )
        await self.call(submit_request, self.student(), draft)
        return OK

    async def cancel(self) -> str:
        student = self.student()
        mine = [r for r in await self.call(my_requests, student) if r.status in UNFINISHED]
        if not mine:
            return IDLE
        request = self.rng.choice(mine)
        await self.call(cancel_request, student, request.id, "Plans changed")
        return OK

    async def withdraw(self) -> str:
        student = self.student()
        requests = await self.call(my_requests, student)
        done = [r for r in requests if r.status in FINISHED and not r.is_deleted]
        if not done:
            return IDLE
        await self.call(withdraw_request, student, self.rng.choice(done).id)
        return OK

    async def rate(self) -> str:
        student = self.student()
        sessions = await self.call(my_sessions, student)
        unrated = [
            s
            for s in sessions
            if s.student_id == student
            and s.status == SessionStatus.COMPLETED
            and s.session_rating is None
        ]
        if not unrated:
            return IDLE
        session = self.rng.choice(unrated)
        await self.call(rate_session, student, session.id, self.rng.randint(3, 5), "Thanks!")
        return OK

    # ---------------------------------------------------------------- mentors

    async def claim(self) -> str:
        mentor = self.mentor()
        queue = await self.call(open_requests_for_mentor, mentor)
        if not queue:
            return IDLE
        # mentors mostly take from the top of their queue: claims collide
        request = self.rng.choice(queue[:5])
        await self.call(claim_request, mentor, request.id)
        return OK

    async def schedule(self) -> str:
        mentor = self.mentor()
        claimed = [
            r for r in await self.call(my_claims, mentor) if r.status == RequestStatus.CLAIMED
        ]
        if not claimed:
            return IDLE
        request = self.rng.choice(claimed)
        slots = await self.call(available_slots, mentor, request.id)
        if not slots:
            return IDLE
        # within the next few (simulated) hours, not the one about to begin
        start = self.rng.choice(slots[1:12] or slots)
        await self.call(schedule_session, mentor, request.id, start)
        return OK

    async def complete(self) -> str:
        mentor = self.mentor()
        now = self.ctx.now()
        due = [
            s
            for s in await self.call(my_sessions, mentor)
            if s.mentor_id == mentor and s.status == SessionStatus.SCHEDULED and s.ends_at <= now
        ]
        if not due:
            return IDLE
        session = self.rng.choice(due)
        outcome = Outcome.COMPLETED if self.rng.random() < 0.9 else Outcome.STUDENT_NO_SHOW
        await self.call(record_outcome, mentor, session.id, outcome)
        return OK

    async def release(self) -> str:
        mentor = self.mentor()
        claimed = [
            r for r in await self.call(my_claims, mentor) if r.status == RequestStatus.CLAIMED
        ]
        if not claimed:
            return IDLE
        await self.call(release_request, mentor, self.rng.choice(claimed).id, "No time after all")
        return OK
