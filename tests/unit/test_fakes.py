"""The fakes keep the promises the SQL repositories make, or the service tests prove nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from core.catalogue import Catalogue
from core.lifecycle import RequestStatus, SessionStatus
from core.mentors import MentorStatus
from core.notifications import Kind, NotificationStatus, to_member
from core.policy import Policy
from core.sessions import MentorshipSession
from core.validation import validate_draft
from tests.unit.fakes import (
    START,
    FakeStore,
    FakeUnitOfWork,
    a_draft,
    add_mentor,
    add_student,
    make_context,
    store_of,
)

HOUR = timedelta(hours=1)


@pytest.fixture
def ctx():
    return make_context()


def a_request(uow, student_id, **draft):
    valid = validate_draft(a_draft(**draft), Catalogue.load(), Policy(), START.date())
    return uow.requests.add(student_id, valid, START, START + timedelta(days=7))


def a_session(uow, request_id, mentor_id, student_id, start, minutes=60):
    return uow.sessions.add(
        MentorshipSession(
            id=0,
            request_id=request_id,
            mentor_id=mentor_id,
            student_id=student_id,
            session_type="career-guidance",
            status=SessionStatus.SCHEDULED,
            scheduled_at=start,
            ends_at=start + timedelta(minutes=minutes),
            duration_minutes=minutes,
            meeting_link="https://example.test",
            created_at=START,
            updated_at=START,
        )
    )


def test_changes_without_commit_are_rolled_back_and_committed_ones_stay(ctx):
    student = add_student(ctx)
    commits = store_of(ctx).commits
    with ctx.uow_factory() as uow:
        uow.members.update(replace(student, display_name="Renamed"), START)
        a_request(uow, student.id)
    with ctx.uow_factory() as uow:
        assert uow.members.get(student.id).display_name == "Sam"
        assert uow.requests.all() == []
        a_request(uow, student.id)
        uow.commit()
        assert uow.committed == 1
    with ctx.uow_factory() as uow:
        assert len(uow.requests.all()) == 1
    assert store_of(ctx).commits == commits + 1


def test_an_exception_inside_a_unit_of_work_rolls_it_back(ctx):
    student = add_student(ctx)
    with pytest.raises(RuntimeError), ctx.uow_factory() as uow:
        a_request(uow, student.id)
        raise RuntimeError("boom")
    with ctx.uow_factory() as uow:
        assert uow.requests.all() == []


def test_instances_on_one_store_share_data():
    store = FakeStore()
    with FakeUnitOfWork(store) as first:
        a_request(first, 1)
        first.commit()
    with FakeUnitOfWork(store) as second:
        assert len(second.requests.all()) == 1


def test_reads_are_copies_so_changing_one_stores_nothing(ctx):
    student = add_student(ctx)
    with ctx.uow_factory() as uow:
        request = a_request(uow, student.id)
        request.status = RequestStatus.CANCELLED
        uow.commit()
    with ctx.uow_factory() as uow:
        assert uow.requests.get(request.id).status is RequestStatus.OPEN


def test_a_transition_moves_only_from_the_expected_statuses(ctx):
    student = add_student(ctx)
    with ctx.uow_factory() as uow:
        request = a_request(uow, student.id)
        open_, claimed = [RequestStatus.OPEN], RequestStatus.CLAIMED
        assert uow.requests.transition(request.id, open_, claimed, START, claimed_by=7)
        assert not uow.requests.transition(request.id, open_, claimed, START, claimed_by=8)
        assert uow.requests.get(request.id).claimed_by == 7
        with pytest.raises(AttributeError):
            uow.requests.transition(request.id, [claimed], claimed, START, no_such_column=1)


def test_a_duplicate_notification_key_is_ignored_even_after_cancelling(ctx):
    with ctx.uow_factory() as uow:
        reminder = to_member(Kind.REMINDER, 1, START, "s1", session_id=1)
        assert uow.notifications.add(reminder)
        assert uow.notifications.cancel_pending(session_id=1) == 1
        assert not uow.notifications.add(reminder)
        assert uow.notifications.pending() == []
        assert [n.status for n in uow.notifications.all()] == [NotificationStatus.CANCELLED]


def test_a_rating_needs_a_completed_unrated_session_and_feedback_a_rating(ctx):
    with ctx.uow_factory() as uow:
        session = a_session(uow, 1, 2, 3, START)
        assert not uow.sessions.rate(session.id, 5, None, START)
        uow.sessions.transition(
            session.id, [SessionStatus.SCHEDULED], SessionStatus.COMPLETED, START
        )
        assert not uow.sessions.set_feedback(session.id, "early", START)
        assert uow.sessions.rate(session.id, 4, None, START)
        assert not uow.sessions.rate(session.id, 1, None, START)
        assert uow.sessions.set_feedback(session.id, "Thanks", START)
        assert not uow.sessions.set_feedback(session.id, "Again", START)
        stored = uow.sessions.get(session.id)
        assert (stored.session_rating, stored.session_feedback) == (4, "Thanks")
        assert uow.sessions.ratings_by_mentor() == {2: (4.0, 1)}


def test_counted_requests_leave_out_cancelled_expired_and_refunded_ones(ctx):
    student = add_student(ctx)
    with ctx.uow_factory() as uow:
        kept, cancelled, expired, refunded = (a_request(uow, student.id) for _ in range(4))
        uow.requests.transition(cancelled.id, [RequestStatus.OPEN], RequestStatus.CANCELLED, START)
        uow.requests.transition(expired.id, [RequestStatus.OPEN], RequestStatus.EXPIRED, START)
        uow.requests.transition(
            refunded.id, [RequestStatus.OPEN], RequestStatus.NO_SHOW, START, quota_refunded=True
        )
        assert [r.id for r in uow.requests.counted_for_student(student.id)] == [kept.id]
        assert len(uow.requests.for_student(student.id)) == 4


def test_busy_sessions_are_scheduled_ones_of_either_role_that_overlap(ctx):
    with ctx.uow_factory() as uow:
        as_mentor = a_session(uow, 1, 5, 6, START)
        as_student = a_session(uow, 2, 7, 5, START + 2 * HOUR)
        cancelled = a_session(uow, 3, 5, 8, START + 4 * HOUR)
        uow.sessions.transition(
            cancelled.id, [SessionStatus.SCHEDULED], SessionStatus.CANCELLED, START
        )
        a_session(uow, 4, 9, 10, START)  # someone else's

        def busy(start, end):
            return [s.id for s in uow.sessions.busy_for_members([5], start, end)]

        assert busy(START, START + 6 * HOUR) == [as_mentor.id, as_student.id]
        assert busy(START + HOUR, START + 2 * HOUR) == []  # touching ends do not overlap
        assert busy(START + 1.5 * HOUR, START + 2.5 * HOUR) == [as_student.id]


def test_a_member_is_an_approved_mentor_exactly_while_the_profile_is_approved(ctx):
    mentor = add_mentor(ctx, approved=False)
    assert not mentor.is_approved_mentor
    with ctx.uow_factory() as uow:
        profile = uow.mentors.get(mentor.id)
        uow.mentors.update(replace(profile, status=MentorStatus.APPROVED), START)
        assert uow.members.get(mentor.id).is_approved_mentor
        uow.mentors.update(replace(profile, status=MentorStatus.SUSPENDED), START)
        assert not uow.members.get(mentor.id).is_approved_mentor
