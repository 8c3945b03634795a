"""Mentor notes as entries, no-show disputes and soft delete, on a real database.

Each test is what a person would notice: a second note that no longer replaces the first,
a no-show report the other side can answer, a quota that follows the admin's decision,
a withdrawn request that leaves every list but stays in the admin's history.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.clock import MovableClock
from core.errors import InvalidTransition, NotAllowed, NotFound
from core.lifecycle import RequestStatus, SessionStatus
from core.notifications import Audience, Kind
from core.services.admin import admin_stats
from core.services.claims import claim_request, open_requests_for_mentor
from core.services.disputes import dispute_no_show, settle_dispute
from core.services.expiry import expire_stale_requests
from core.services.hiding import hide_session, withdraw_request
from core.services.history import request_history
from core.services.notes import joined_notes, read_notes
from core.services.outcomes import record_outcome, update_mentor_notes
from core.services.requests import cancel_request, my_requests, submit_request, usage_left
from core.services.sessions import available_slots, my_sessions, schedule_session
from core.services.sweeps import reannounce_unclaimed
from core.sessions import MentorshipSession, Outcome
from tests.integration.helpers import (
    START,
    add_admin,
    add_mentor,
    add_student,
    local_date,
    make_context,
    valid_draft,
)

INTERVIEW = "MOCK_INTERVIEW"  # a group with a limit, so the quota shows


@pytest.fixture
def world(database_url):
    clock = MovableClock(START)
    ctx = make_context(database_url, clock)
    admin = add_admin(ctx)
    mentor = add_mentor(ctx, admin, "Mia")
    student = add_student(ctx, "Sam")
    return ctx, clock, admin, mentor, student


def _booked(world, session_type: str = INTERVIEW) -> MentorshipSession:
    ctx, clock, _, mentor, student = world
    draft = valid_draft(local_date(clock.now()), session_type, starting_in=1)
    request = submit_request(ctx, student, draft)
    claim_request(ctx, mentor, request.id)
    start = available_slots(ctx, mentor, request.id)[0]
    return schedule_session(ctx, mentor, request.id, start)


def _over(world, session_type: str = INTERVIEW) -> MentorshipSession:
    session = _booked(world, session_type)
    world[1].set(session.ends_at + timedelta(minutes=5))
    return session


def _used(ctx, student: int) -> int:
    (line,) = [u for u in usage_left(ctx, student) if u.label == "Interview prep"]
    return line.used


def _pending(ctx, kind: Kind) -> list[tuple[str, int | None]]:
    with ctx.uow_factory() as uow:
        return [
            (n.audience.value, n.recipient_id)
            for n in uow.notifications.pending()
            if n.kind == kind
        ]


# ------------------------------------------------------------------ notes


def test_a_second_note_is_added_to_the_first_and_the_mentor_reads_both_back(world):
    ctx, clock, admin, mentor, student = world
    session = _over(world)
    record_outcome(ctx, mentor, session.id, Outcome.COMPLETED, mentor_notes="Strong on SQL")
    clock.advance(timedelta(hours=1))
    update_mentor_notes(ctx, mentor, session.id, mentor_notes="Follow up: system design")

    mine = read_notes(ctx, mentor, session.id)
    assert [e.body for e in mine.entries] == ["Strong on SQL", "Follow up: system design"]
    assert mine.entries[1].created_at - mine.entries[0].created_at == timedelta(hours=1)
    assert [e.body for e in read_notes(ctx, admin, session.id).entries] == [
        "Strong on SQL",
        "Follow up: system design",
    ]
    with pytest.raises(NotAllowed):
        read_notes(ctx, student, session.id)
    # the seed's column (and the export) keeps every entry, joined
    joined = "Strong on SQL\n\nFollow up: system design"
    assert mine.session.mentor_notes == joined
    with ctx.uow_factory() as uow:
        assert joined_notes(uow, session.id) == joined
    assert [s.mentor_notes for s in my_sessions(ctx, student)] == [None]


def test_the_real_duration_can_be_corrected_without_touching_the_notes(world):
    ctx, _, _, mentor, _ = world
    session = _over(world)
    record_outcome(ctx, mentor, session.id, Outcome.COMPLETED, duration_minutes=60)
    update_mentor_notes(ctx, mentor, session.id, mentor_notes="Went well")
    corrected = update_mentor_notes(ctx, mentor, session.id, duration_minutes=42)
    assert (corrected.session_duration_minutes, corrected.mentor_notes) == (42, "Went well")
    assert [e.body for e in read_notes(ctx, mentor, session.id).entries] == ["Went well"]


# ------------------------------------------------------------------ disputes


def test_a_disputed_no_show_settled_as_completed_counts_again(world):
    ctx, clock, admin, mentor, student = world
    session = _over(world)
    record_outcome(ctx, student, session.id, Outcome.MENTOR_NO_SHOW)
    assert _used(ctx, student) == 0  # a mentor who did not come costs nothing
    assert ("member", mentor) in _pending(ctx, Kind.NO_SHOW_RECORDED)

    with pytest.raises(NotAllowed):  # the reporter cannot dispute their own report
        dispute_no_show(ctx, student, session.id)
    clock.advance(timedelta(hours=47))
    disputed, first = dispute_no_show(ctx, mentor, session.id)
    assert first and disputed.is_disputed
    assert dispute_no_show(ctx, mentor, session.id)[1] is False  # a second press: nothing
    assert sorted(_pending(ctx, Kind.OUTCOME_DISPUTED)) == [("admins", None), ("member", student)]
    assert admin_stats(ctx, admin).disputed_sessions == (session.id,)

    with pytest.raises(NotAllowed):
        settle_dispute(ctx, mentor, session.id, completed=True)
    settled = settle_dispute(ctx, admin, session.id, completed=True)
    assert (settled.status, settled.no_show_by, settled.settled_as) == (
        SessionStatus.COMPLETED,
        None,
        "completed",
    )
    assert my_requests(ctx, student)[0].status == RequestStatus.COMPLETED
    assert _used(ctx, student) == 1  # the quota follows the settled outcome
    assert admin_stats(ctx, admin).disputed_sessions == ()
    assert settle_dispute(ctx, admin, session.id, completed=True).settled_as == "completed"
    with pytest.raises(InvalidTransition, match="Already settled as completed"):
        settle_dispute(ctx, admin, session.id, completed=False)
    moves = [
        (e.from_status, e.to_status) for e in request_history(ctx, admin, session.request_id).events
    ]
    assert moves[-3:] == [
        ("NO_SHOW", "NO_SHOW"),
        ("NO_SHOW", "COMPLETED"),
        ("NO_SHOW", "COMPLETED"),
    ]


def test_a_no_show_settled_as_a_no_show_keeps_its_quota(world):
    ctx, _, admin, mentor, student = world
    session = _over(world)
    record_outcome(ctx, mentor, session.id, Outcome.STUDENT_NO_SHOW)
    assert _used(ctx, student) == 1
    dispute_no_show(ctx, student, session.id)
    settled = settle_dispute(ctx, admin, session.id, completed=False)
    assert (settled.status, settled.settled_as) == (SessionStatus.NO_SHOW, "no_show")
    assert _used(ctx, student) == 1
    assert ("member", mentor) in _pending(ctx, Kind.DISPUTE_SETTLED)


def test_a_no_show_can_be_disputed_only_within_48_hours(world):
    ctx, clock, admin, mentor, student = world
    session = _over(world)
    record_outcome(ctx, student, session.id, Outcome.MENTOR_NO_SHOW)
    clock.advance(timedelta(hours=48, minutes=1))
    with pytest.raises(InvalidTransition, match="48 hours"):
        dispute_no_show(ctx, mentor, session.id)
    with pytest.raises(InvalidTransition, match="not disputed"):
        settle_dispute(ctx, admin, session.id, completed=True)


# ------------------------------------------------------------------ soft delete


def test_a_student_withdraws_a_finished_request_and_it_leaves_their_lists(world):
    ctx, clock, admin, mentor, student = world
    draft = valid_draft(local_date(clock.now()), INTERVIEW)
    request = submit_request(ctx, student, draft)
    with pytest.raises(InvalidTransition, match="cancel it first"):
        withdraw_request(ctx, student, request.id)
    cancel_request(ctx, student, request.id, "found help")
    with pytest.raises(NotFound):
        withdraw_request(ctx, mentor, request.id)  # not theirs
    withdrawn = withdraw_request(ctx, student, request.id)
    assert withdrawn.is_deleted and withdrawn.deleted_at == clock.now()
    assert withdraw_request(ctx, student, request.id).deleted_at == clock.now()  # again: same
    assert my_requests(ctx, student) == []
    stats = admin_stats(ctx, admin)
    assert (stats.hidden_requests, stats.requests_by_status) == (1, {})
    # never hard-deleted, and its history is still the admin's to read
    assert [e.to_status for e in request_history(ctx, admin, request.id).events] == [
        "OPEN",
        "CANCELLED",
    ]
    with pytest.raises(NotFound):
        request_history(ctx, student, request.id)


def test_an_open_request_an_admin_hides_is_never_queued_announced_or_expired(world):
    ctx, clock, admin, mentor, student = world
    draft = valid_draft(local_date(clock.now()), INTERVIEW, urgency="high")
    request = submit_request(ctx, student, draft)
    assert [r.id for r in open_requests_for_mentor(ctx, mentor)] == [request.id]
    withdraw_request(ctx, admin, request.id)
    assert _pending(ctx, Kind.REQUEST_POSTED) == []

    assert open_requests_for_mentor(ctx, mentor) == []
    with pytest.raises(NotFound):
        claim_request(ctx, mentor, request.id)
    clock.advance(timedelta(days=30))
    assert reannounce_unclaimed(ctx) == []
    assert expire_stale_requests(ctx) == []
    assert _pending(ctx, Kind.REQUEST_REANNOUNCED) == []
    assert my_requests(ctx, student) == []
    assert _used(ctx, student) == 0  # over before it began: it frees its place


def test_withdrawing_a_finished_session_is_no_way_round_a_limit(world):
    ctx, _, _, mentor, student = world
    session = _over(world)
    record_outcome(ctx, mentor, session.id, Outcome.COMPLETED)
    assert _used(ctx, student) == 1
    withdraw_request(ctx, student, session.request_id)
    assert my_requests(ctx, student) == my_sessions(ctx, student) == []
    assert _used(ctx, student) == 1


def test_a_student_hides_a_finished_session_and_it_leaves_both_lists(world):
    ctx, _, admin, mentor, student = world
    session = _booked(world)
    with pytest.raises(InvalidTransition):
        hide_session(ctx, student, session.id)  # still to come: cancel it instead
    world[1].set(session.ends_at)
    record_outcome(ctx, mentor, session.id, Outcome.COMPLETED)
    with pytest.raises(NotFound):
        hide_session(ctx, mentor, session.id)  # the student's to hide, or an admin's
    assert hide_session(ctx, student, session.id).is_deleted
    assert my_sessions(ctx, student) == my_sessions(ctx, mentor) == []
    assert my_requests(ctx, student) == []
    stats = admin_stats(ctx, admin)
    assert (stats.hidden_sessions, stats.hidden_requests, stats.ratings) == (1, 1, 0)


def test_a_disputed_session_cannot_be_hidden_by_its_student_until_settled(world):
    ctx, _, admin, mentor, student = world
    session = _over(world)
    record_outcome(ctx, mentor, session.id, Outcome.STUDENT_NO_SHOW)
    dispute_no_show(ctx, student, session.id)
    with pytest.raises(NotAllowed, match="settling"):
        hide_session(ctx, student, session.id)
    settle_dispute(ctx, admin, session.id, completed=True)
    assert hide_session(ctx, student, session.id).is_deleted


def test_the_admins_are_told_of_a_dispute_in_their_feed(world):
    ctx, _, _, mentor, student = world
    session = _over(world)
    record_outcome(ctx, student, session.id, Outcome.MENTOR_NO_SHOW)
    dispute_no_show(ctx, mentor, session.id)
    with ctx.uow_factory() as uow:
        to_admins = [
            n
            for n in uow.notifications.pending()
            if n.kind == Kind.OUTCOME_DISPUTED and n.audience == Audience.ADMINS
        ]
    assert [n.session_id for n in to_admins] == [session.id]
