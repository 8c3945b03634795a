"""Sessions for the export tests, made through the services as a front-end would (the
console's typed form is another helper's moving target; the export only reads rows)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from core.clock import MovableClock
from core.services.claims import claim_request
from core.services.context import ServiceContext
from core.services.outcomes import rate_session, record_outcome
from core.services.requests import submit_request
from core.services.sessions import available_slots, schedule_session
from core.sessions import MentorshipSession, Outcome
from tests.integration.helpers import (
    START,
    add_admin,
    add_mentor,
    add_student,
    make_context,
    valid_draft,
)


@dataclass
class World:
    ctx: ServiceContext
    clock: MovableClock
    admin: int
    bob: int  # a mentor
    alice: int  # a student

    def held(
        self, outcome: Outcome = Outcome.COMPLETED, *, note: str | None = None, **draft: object
    ) -> MentorshipSession:
        """Alice asks, Bob claims and books the first slot, and it happens (or not)."""
        request = submit_request(self.ctx, self.alice, valid_draft(START.date(), **draft))  # type: ignore[arg-type]
        claim_request(self.ctx, self.bob, request.id)
        start = available_slots(self.ctx, self.bob, request.id)[0]
        session = schedule_session(self.ctx, self.bob, request.id, start)
        self.clock.set(max(self.clock.now(), session.ends_at + timedelta(hours=1)))
        return record_outcome(self.ctx, self.bob, session.id, outcome, mentor_notes=note)

    def rate(self, session: MentorshipSession, stars: int, feedback: str) -> None:
        rate_session(self.ctx, self.alice, session.id, stars, feedback)


def make_world(database_url: str) -> World:
    clock = MovableClock(START)
    ctx = make_context(database_url, clock)
    admin = add_admin(ctx)
    bob = add_mentor(ctx, admin, "Bob")
    return World(ctx, clock, admin, bob, add_student(ctx, "Alice"))
