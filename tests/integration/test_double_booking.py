"""Nobody is in two sessions at once, also when two bookings are made at the same moment.

``schedule_session`` locks the mentor and the student before it looks for clashes, so of
two simultaneous bookings that overlap, the second sees the first and is refused with
``SlotUnavailable``; it can still be booked at a time that is free.
"""

from __future__ import annotations

import time as timer
from collections.abc import Collection
from datetime import datetime, timedelta

import pytest

from core.clock import MovableClock
from core.errors import DomainError, SlotUnavailable, TemporaryFailure
from core.lifecycle import RequestStatus, SessionStatus
from core.services.claims import claim_request
from core.services.context import ServiceContext
from core.services.requests import get_request, submit_request
from core.services.sessions import available_slots, my_sessions, schedule_session
from core.sessions import MentorshipSession
from db.repositories import SqlMemberRepository, SqlSessionRepository
from db.unit_of_work import SqlAlchemyUnitOfWork
from tests.integration.helpers import (
    START,
    add_admin,
    add_mentor,
    add_student,
    make_context,
    valid_draft,
)

ROUNDS = 4
DURATION = 60

# 0: both want the very same start; 30: the second starts while the first is running.
OVERLAPS = pytest.mark.parametrize("offset_minutes", [0, 30], ids=["same-start", "overlapping"])


def _request_on_day(ctx: ServiceContext, student: int, mentor: int, day: int) -> int:
    """A one-day, one-hour request by ``student`` on ``day``, claimed by ``mentor``."""
    draft = valid_draft(
        START.date(), starting_in=day, days=0, duration_minutes=DURATION, title=f"Day {day} help"
    )
    request = submit_request(ctx, student, draft)
    claim_request(ctx, mentor, request.id)
    return request.id


def _book_both_at_once(
    run_concurrently,
    ctx: ServiceContext,
    bookings: list[tuple[int, int, datetime]],
) -> tuple[list[MentorshipSession], list[SlotUnavailable], list[object]]:
    outcomes = run_concurrently(
        *[
            lambda m=mentor, r=request, t=start: schedule_session(ctx, m, r, t)
            for mentor, request, start in bookings
        ]
    )
    booked = [o for o in outcomes if isinstance(o, MentorshipSession)]
    refused = [o for o in outcomes if isinstance(o, SlotUnavailable)]
    others = [o for o in outcomes if o not in booked and o not in refused]
    return booked, refused, others


def _overlaps(sessions: list[MentorshipSession]) -> list[tuple[int, int]]:
    scheduled = [s for s in sessions if s.status == SessionStatus.SCHEDULED]
    return [
        (a.id, b.id)
        for i, a in enumerate(scheduled)
        for b in scheduled[i + 1 :]
        if a.overlaps(b.scheduled_at, b.ends_at)
    ]


@OVERLAPS
def test_a_mentor_booked_for_two_requests_at_once_gets_exactly_one_session(
    database_url, run_concurrently, offset_minutes
):
    clock = MovableClock(START)
    ctx = make_context(database_url, clock, max_active_requests=50)
    admin = add_admin(ctx)
    mentor = add_mentor(ctx, admin, "Mentor Maria")
    first, second = add_student(ctx, "Student Sam"), add_student(ctx, "Student Kim")

    for day in range(1, ROUNDS + 1):
        r1 = _request_on_day(ctx, first, mentor, day)
        r2 = _request_on_day(ctx, second, mentor, day)
        start = available_slots(ctx, mentor, r1)[20]
        other_start = start + timedelta(minutes=offset_minutes)
        assert other_start in available_slots(ctx, mentor, r2)

        booked, refused, others = _book_both_at_once(
            run_concurrently, ctx, [(mentor, r1, start), (mentor, r2, other_start)]
        )

        assert (len(booked), len(refused), others) == (1, 1, [])
        assert refused[0].user_message == "That time is no longer free. Please pick another slot."
        loser = r2 if booked[0].request_id == r1 else r1
        assert get_request(ctx, mentor, loser).status == RequestStatus.CLAIMED
        assert _overlaps(my_sessions(ctx, mentor)) == []
        # The refused request can still be booked at a time that is free.
        free = available_slots(ctx, mentor, loser)
        assert all(not booked[0].overlaps(t, t + timedelta(minutes=DURATION)) for t in free)
        schedule_session(ctx, mentor, loser, free[0])

    assert len(my_sessions(ctx, mentor)) == 2 * ROUNDS
    assert _overlaps(my_sessions(ctx, mentor)) == []


@OVERLAPS
def test_a_student_cannot_be_booked_into_overlapping_sessions_with_two_mentors(
    database_url, run_concurrently, offset_minutes
):
    clock = MovableClock(START)
    ctx = make_context(database_url, clock, max_active_requests=50)
    admin = add_admin(ctx)
    maria, omar = add_mentor(ctx, admin, "Mentor Maria"), add_mentor(ctx, admin, "Mentor Omar")
    student = add_student(ctx, "Student Sam", "America/New_York")

    for day in range(1, ROUNDS + 1):
        r1 = _request_on_day(ctx, student, maria, day)
        r2 = _request_on_day(ctx, student, omar, day)
        start = available_slots(ctx, maria, r1)[20]
        other_start = start + timedelta(minutes=offset_minutes)
        assert other_start in available_slots(ctx, omar, r2)

        booked, refused, others = _book_both_at_once(
            run_concurrently, ctx, [(maria, r1, start), (omar, r2, other_start)]
        )

        assert (len(booked), len(refused), others) == (1, 1, [])
        assert _overlaps(my_sessions(ctx, student)) == []
        # Sequentially too: the clashing time is no longer offered for the other request.
        loser, loser_mentor = (r2, omar) if booked[0].request_id == r1 else (r1, maria)
        clash = other_start if loser == r2 else start
        assert clash not in available_slots(ctx, loser_mentor, loser)
        with pytest.raises(SlotUnavailable):
            schedule_session(ctx, loser_mentor, loser, clash)

    assert len(my_sessions(ctx, student)) == ROUNDS
    assert _overlaps(my_sessions(ctx, student)) == []


class _UnlockedMembers(SqlMemberRepository):
    def lock(self, member_id: int) -> None:
        """No lock: both bookings look for clashes before either has written."""

    def lock_all(self, member_ids: Collection[int]) -> None:
        """Nor both people's at once (a booking's)."""


class _SlowClashCheck(SqlSessionRepository):
    def busy_for_members(
        self, member_ids: Collection[int], start: datetime, end: datetime
    ) -> list[MentorshipSession]:
        busy = super().busy_for_members(member_ids, start, end)
        timer.sleep(0.01)
        return busy


class _UnlockedUnitOfWork(SqlAlchemyUnitOfWork):
    def __enter__(self) -> _UnlockedUnitOfWork:
        super().__enter__()
        self.members = _UnlockedMembers(self.session)
        self.sessions = _SlowClashCheck(self.session)
        return self


@pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_without_the_member_lock_a_mentor_does_get_double_booked(database_url, run_concurrently):
    """The twin of the first test: with the member locks no-ops both bookings succeed.

    PostgreSQL only: on SQLite ``BEGIN IMMEDIATE`` serializes the bookings by itself.
    """
    clock = MovableClock(START)
    setup = make_context(database_url, clock, max_active_requests=50)
    admin = add_admin(setup)
    mentor = add_mentor(setup, admin, "Mentor Maria")
    first, second = add_student(setup, "Student Sam"), add_student(setup, "Student Kim")
    ctx = make_context(
        database_url, clock, max_active_requests=50, unit_of_work=_UnlockedUnitOfWork
    )
    double_booked = 0
    for day in range(1, ROUNDS + 1):
        r1 = _request_on_day(setup, first, mentor, day)
        r2 = _request_on_day(setup, second, mentor, day)
        start = available_slots(setup, mentor, r1)[20]
        booked, _, _ = _book_both_at_once(
            run_concurrently, ctx, [(mentor, r1, start), (mentor, r2, start)]
        )
        double_booked += len(booked) == 2
    assert double_booked > 0
    assert _overlaps(my_sessions(setup, mentor)) != []


def test_the_same_request_booked_twice_at_once_is_one_session_and_a_plain_refusal(
    database_url, run_concurrently
):
    """A double press on a time button (found by the soak): the second booking waited on
    the member lock, then inserted a second session for the request and failed with an
    IntegrityError, shown to the mentor as the generic apology."""
    clock = MovableClock(START)
    ctx = make_context(database_url, clock, max_active_requests=50)
    admin = add_admin(ctx)
    mentor = add_mentor(ctx, admin, "Mentor Maria")
    student = add_student(ctx, "Student Sam")
    for day in range(1, ROUNDS + 1):
        request = _request_on_day(ctx, student, mentor, day)
        slots = available_slots(ctx, mentor, request)
        outcomes = run_concurrently(
            lambda r=request, t=slots[3]: schedule_session(ctx, mentor, r, t),
            lambda r=request, t=slots[5]: schedule_session(ctx, mentor, r, t),
        )
        booked = [o for o in outcomes if isinstance(o, MentorshipSession)]
        refused = [o for o in outcomes if isinstance(o, DomainError)]
        assert (len(booked), len(refused)) == (1, 1), outcomes
        assert not isinstance(refused[0], TemporaryFailure), refused[0]
        assert get_request(ctx, mentor, request).status == RequestStatus.SCHEDULED
    assert len(my_sessions(ctx, mentor)) == ROUNDS
