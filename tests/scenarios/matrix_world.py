"""The authorization matrix's world: the seven roles, and fresh targets on demand.

Everyone but the stranger registers the front-end's way; profiles and targets are made
through the services (fast, and the same on every front-end). Each action gets targets of
its own: a press that is allowed changes them, and must not spoil the next action's.
Targets owned by Alice and Bob are the roles' own ("valid"); the same kind owned by Fay
and Gus, who are none of the roles, is "someone else's" ("forged"); a finished one is
"stale". Past sessions are made first, then the clock moves on.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

from core.requests import RequestDraft
from core.services.claims import claim_request, release_request
from core.services.mentors import add_availability, apply_as_mentor
from core.services.outcomes import rate_session, record_outcome
from core.services.requests import cancel_request, submit_request
from core.services.sessions import available_slots, cancel_session, schedule_session
from core.sessions import Outcome
from tests.scenarios.driver import Driver
from tests.scenarios.people import ADA, ALICE, BOB, CAROL, DAVE, ERIN, FAY, GUS, MALLORY, Person

ROLES = {
    "stranger": MALLORY,
    "student": ALICE,
    "other student": ERIN,
    "pending mentor": DAVE,
    "claiming mentor": BOB,
    "other mentor": CAROL,
    "admin": ADA,
}
NOW = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)  # past sessions are over, future ones ahead
MISSING = "999999999"  # an id nobody has


def draft(first: date, last: date) -> RequestDraft:
    return RequestDraft(
        "career-guidance",
        "A question worth a session",
        "A description long enough to pass.",
        {},
        45,
        "normal",
        first,
        last,
        ["python"],
    )


class World:
    def __init__(self, d: Driver) -> None:
        self.d = d
        self.ctx = d.ctx
        self.ids: dict[str, int] = {}
        self.applicants = 0
        self.windows = 0
        self.past: dict[str, list[int]] = {}

    def id(self, p: Person) -> int:
        return self.ids[p.key]

    async def build(self) -> World:
        d = self.d
        for p in (ADA, ALICE, ERIN, DAVE, FAY):
            await d.register(p)
        for p in (BOB, CAROL, GUS):
            await d.make_mentor(p, ["python"])
        self.ids = {p.key: d.member(p).id for p in (ADA, ALICE, ERIN, DAVE, FAY, BOB, CAROL, GUS)}
        apply_as_mentor(
            self.ctx, self.id(DAVE), domain="Go", years_experience=2, bio="Hi", expertise_tags=[]
        )
        # sessions that will be over: (student, mentor) pairs, booked 3-4 March
        pairs = {"mine": (ALICE, BOB), "theirs": (FAY, GUS)}
        for name, (student, mentor) in pairs.items():
            self.past[name] = [
                self._session(student, mentor, date(2026, 3, 3))[1] for _ in range(5)
            ]
        self.d.clock.set(NOW)
        for name, (_, mentor) in pairs.items():  # [0-1] unreported, [2] completed, [3] rated
            for sid in self.past[name][2:4]:
                record_outcome(self.ctx, self.id(mentor), sid, Outcome.COMPLETED)
            rate_session(self.ctx, self.id(pairs[name][0]), self.past[name][3], 4)
            cancel_session(self.ctx, self.id(mentor), self.past[name][4])  # [4] cancelled
        await d.deliver()  # everything due is sent before the first press
        return self

    # ------------------------------------------------------------------ targets

    def open_request(self, student: Person) -> int:
        first = (self.ctx.now() + timedelta(days=1)).date()
        return submit_request(self.ctx, self.id(student), draft(first, first + timedelta(14))).id

    def directed_request(self, student: Person, mentor: Person) -> int:
        """Open, addressed to ``mentor`` alone for now (others if they decline)."""
        first = (self.ctx.now() + timedelta(days=1)).date()
        chosen = self.id(mentor)
        wanted = replace(draft(first, first + timedelta(14)), preferred_mentor_id=chosen)
        wanted.open_to_others = True
        return submit_request(self.ctx, self.id(student), wanted).id

    def claimed(self, student: Person, mentor: Person) -> int:
        request = self.open_request(student)
        claim_request(self.ctx, self.id(mentor), request)
        return request

    def with_history(self, student: Person, mentor: Person, reason: str) -> int:
        """Claimed, released with ``reason`` (shown in its history), claimed again."""
        request = self.claimed(student, mentor)
        release_request(self.ctx, self.id(mentor), request, reason)
        claim_request(self.ctx, self.id(mentor), request)
        return request

    def _session(self, student: Person, mentor: Person, first: date) -> tuple[int, int]:
        request = submit_request(self.ctx, self.id(student), draft(first, first + timedelta(1))).id
        claim_request(self.ctx, self.id(mentor), request)
        start = available_slots(self.ctx, self.id(mentor), request)[0]
        return request, schedule_session(self.ctx, self.id(mentor), request, start).id

    def session(self, student: Person, mentor: Person) -> tuple[int, int]:
        """A booked session a few days ahead: (request, session)."""
        return self._session(student, mentor, (self.ctx.now() + timedelta(days=2)).date())

    def slot(self, mentor: Person, request: int) -> int:
        return int(available_slots(self.ctx, self.id(mentor), request)[-1].timestamp())

    def cancelled_request(self, student: Person) -> int:
        request = self.open_request(student)
        cancel_request(self.ctx, self.id(student), request)
        return request

    def cancelled_session(self) -> int:
        _, session = self.session(ALICE, BOB)
        cancel_session(self.ctx, self.id(BOB), session)
        return session

    def window(self, mentor: Person) -> int:
        """A new one-hour window before 08:00 (the mentors are free 08:00-20:00)."""
        self.windows += 1
        day, hour = self.windows % 7, self.windows // 7 % 8
        found = add_availability(self.ctx, self.id(mentor), day, time(hour), time(hour + 1))
        assert found.id is not None
        return found.id

    async def applicant(self) -> int:
        """Someone new who applied to mentor and waits for a decision."""
        self.applicants += 1
        n = self.applicants
        p = Person(f"hal{n}", f"Hal{n}", "UTC", 3100 + n, f"UHAL{n}")
        await self.d.register(p)
        member = self.d.member(p).id
        apply_as_mentor(
            self.ctx, member, domain="Data", years_experience=3, bio="Hi", expertise_tags=[]
        )
        return member
