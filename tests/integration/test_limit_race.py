"""A student with one interview-prep request left submits twenty at the same moment.

Twenty threads, each with its own connection, released by one barrier: the per-member lock
in ``submit_request`` must let exactly one through. The twin runs the same race with the
lock switched off and shows that the limit then breaks, so this test is known to be able
to fail.
"""

from __future__ import annotations

import time as timer
from typing import Any

import pytest

from core.clock import MovableClock
from core.errors import LimitReached
from core.members import Member
from core.requests import MentorshipRequest
from core.services.context import ServiceContext
from core.services.requests import my_requests, submit_request, usage_left
from db.repositories import SqlMemberRepository, SqlRequestRepository
from db.unit_of_work import SqlAlchemyUnitOfWork
from tests.integration.helpers import START, add_student, make_context, valid_draft

pytestmark = pytest.mark.slow

SUBMISSIONS = 20
STUDENTS = 5  # one race per student
LIMIT = 3

ONLY_POSTGRES = pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)


def _students_with_two_of_three_used(ctx: ServiceContext) -> list[int]:
    students = []
    for i in range(STUDENTS):
        student = add_student(ctx, f"Student {i}")
        for kind in ("MOCK_INTERVIEW", "BEHAVIORAL_PREP"):
            submit_request(ctx, student, valid_draft(START.date(), kind))
        students.append(student)
    return students


def _race(run_concurrently, ctx: ServiceContext, student: int) -> list[Any]:
    drafts = [
        valid_draft(START.date(), "DOMAIN_COACHING", title=f"Coaching attempt {i}")
        for i in range(SUBMISSIONS)
    ]
    return run_concurrently(*[lambda d=d: submit_request(ctx, student, d) for d in drafts])


def test_twenty_simultaneous_submissions_with_one_left_accept_exactly_one(
    database_url, run_concurrently
):
    clock = MovableClock(START)
    setup = make_context(database_url, clock)
    students = _students_with_two_of_three_used(setup)
    ctx = make_context(database_url, clock, pool_size=SUBMISSIONS + 5)

    for student in students:
        outcomes = _race(run_concurrently, ctx, student)

        accepted = [o for o in outcomes if isinstance(o, MentorshipRequest)]
        refused = [o for o in outcomes if isinstance(o, LimitReached)]
        other_errors = [
            o for o in outcomes if isinstance(o, BaseException) and not isinstance(o, LimitReached)
        ]
        assert other_errors == []
        assert len(accepted) == 1
        assert len(refused) == SUBMISSIONS - 1
        for refusal in refused:
            assert refusal.limit_label == "Interview prep"
            assert f"Interview prep limit ({LIMIT} of {LIMIT} used)" in refusal.user_message
            assert "Cancelled and expired requests do not count" in refusal.user_message

        assert len(my_requests(ctx, student)) == LIMIT
        lines = {line.label: line for line in usage_left(ctx, student)}
        assert lines["Interview prep"].used == LIMIT
        assert lines["Interview prep"].left == 0


class _UnlockedMembers(SqlMemberRepository):
    def lock(self, member_id: int) -> None:
        """No lock: every submission counts while the others are still counting."""

    def get_locked(self, member_id: int) -> Member | None:
        return self.get(member_id)  # read without the lock


class _SlowCounting(SqlRequestRepository):
    def counted_for_student(self, student_id: int) -> list[MentorshipRequest]:
        counted = super().counted_for_student(student_id)
        timer.sleep(0.01)  # a busy server between the count and the insert
        return counted

    def submission_sight(
        self, student_id: int, key: str | None
    ) -> tuple[MentorshipRequest | None, list[MentorshipRequest]]:
        sight = super().submission_sight(student_id, key)
        timer.sleep(0.01)
        return sight


class _UnlockedUnitOfWork(SqlAlchemyUnitOfWork):
    def __enter__(self) -> _UnlockedUnitOfWork:
        super().__enter__()
        self.members = _UnlockedMembers(self.session)
        self.requests = _SlowCounting(self.session)
        return self


@ONLY_POSTGRES
def test_the_limit_race_breaks_when_the_student_is_not_locked(database_url, run_concurrently):
    """The twin: same race, ``members.lock`` a no-op; more than one gets through.

    PostgreSQL only: on SQLite ``BEGIN IMMEDIATE`` serializes the submissions by itself.
    """
    clock = MovableClock(START)
    setup = make_context(database_url, clock)
    students = _students_with_two_of_three_used(setup)
    ctx = make_context(
        database_url, clock, pool_size=SUBMISSIONS + 5, unit_of_work=_UnlockedUnitOfWork
    )

    outcomes = _race(run_concurrently, ctx, students[0])

    accepted = [o for o in outcomes if isinstance(o, MentorshipRequest)]
    assert len(accepted) > 1
    assert len(my_requests(ctx, students[0])) > LIMIT
