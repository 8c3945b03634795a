"""The use cases, end to end on in-memory fakes: what students, mentors and admins see.

Unless a test says otherwise: it is Monday 2 March 2026, 09:00 UTC; Sam studies in New
York; Mia mentors from Berlin on Mondays 18:00-20:00 her time (17:00-19:00 UTC until the
EU changes clocks); a draft asks for 60 minutes between 3 and 13 March, so the first
slot Mia can offer is Monday 9 March 17:00 UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from core.errors import (
    AlreadyClaimed,
    AlreadyRated,
    InvalidTransition,
    LimitReached,
    NotAllowed,
    SlotUnavailable,
    ValidationFailed,
)
from core.events import EntityKind
from core.lifecycle import RequestStatus, SessionStatus
from core.notifications import Audience, Kind, NotificationStatus
from core.policy import Policy
from core.services.admin import admin_stats, export_rows, grant_admin
from core.services.claims import (
    assign_mentor,
    claim_request,
    my_claims,
    open_requests_for_mentor,
    release_request,
)
from core.services.expiry import expire_stale_requests
from core.services.mentors import decide_mentor, list_mentors, pending_mentors
from core.services.outcomes import (
    leave_feedback,
    rate_session,
    record_outcome,
    update_mentor_notes,
)
from core.services.requests import (
    cancel_request,
    extend_request,
    get_request,
    my_requests,
    repost_request,
    submit_request,
    usage_left,
)
from core.services.sessions import (
    available_slots,
    cancel_session,
    get_session,
    my_sessions,
    reschedule_session,
    schedule_session,
)
from core.sessions import NoShowParty, Outcome
from tests.unit.fakes import (
    START,
    a_draft,
    add_admin,
    add_mentor,
    add_student,
    clock_of,
    make_context,
    store_of,
)

SLOT = datetime(2026, 3, 9, 17, 0, tzinfo=UTC)  # Monday 18:00 in Berlin, 13:00 in New York
HALF_HOUR = timedelta(minutes=30)
HOUR = timedelta(hours=1)
R = RequestStatus
S = SessionStatus


@pytest.fixture
def ctx():
    return make_context()


@pytest.fixture
def clock(ctx):
    return clock_of(ctx)


@pytest.fixture
def student(ctx):
    return add_student(ctx, "Sam")


@pytest.fixture
def mentor(ctx):
    return add_mentor(ctx, "Mia")


@pytest.fixture
def admin(ctx):
    return add_admin(ctx, "Ada")


# ------------------------------------------------------------------ helpers


def claimed(ctx, student, mentor, **draft):
    request = submit_request(ctx, student.id, a_draft(**draft))
    return claim_request(ctx, mentor.id, request.id)


def booked(ctx, student, mentor, **draft):
    """A session at the first slot the mentor can offer."""
    request = claimed(ctx, student, mentor, **draft)
    first = available_slots(ctx, mentor.id, request.id)[0]
    return schedule_session(ctx, mentor.id, request.id, first)


def moves(ctx, entity, entity_id):
    with ctx.uow_factory() as uow:
        return [
            (e.from_status, e.to_status, e.actor_id)
            for e in uow.events.for_entity(entity, entity_id)
        ]


def notes(ctx, kind=None, *, to=None, status=None, session_id=None):
    return [
        n
        for n in store_of(ctx).tables.notifications
        if (kind is None or n.kind == kind)
        and (to is None or n.recipient_id == to)
        and (status is None or n.status == status)
        and (session_id is None or n.session_id == session_id)
    ]


def pending(ctx, kind=None, **filters):
    return notes(ctx, kind, status=NotificationStatus.PENDING, **filters)


def request_now(ctx, request_id):
    with ctx.uow_factory() as uow:
        found = uow.requests.get(request_id)
    assert found is not None
    return found


def session_now(ctx, session_id):
    with ctx.uow_factory() as uow:
        found = uow.sessions.get(session_id)
    assert found is not None
    return found


def interview_prep_used(ctx, student):
    return usage_left(ctx, student.id)[0].used


# ------------------------------------------------------------------ the whole journey


def test_a_request_goes_from_submission_to_a_rated_session(ctx, clock, student, mentor):
    request = submit_request(ctx, student.id, a_draft())
    assert request.status is R.OPEN
    assert claim_request(ctx, mentor.id, request.id).claimed_by == mentor.id

    offered = available_slots(ctx, mentor.id, request.id)
    assert offered == [SLOT, SLOT + HALF_HOUR, SLOT + HOUR]
    assert available_slots(ctx, student.id, request.id) == offered

    session = schedule_session(ctx, mentor.id, request.id, offered[0])
    assert (session.status, session.scheduled_at, session.ends_at) == (
        S.SCHEDULED,
        SLOT,
        SLOT + HOUR,
    )
    assert session.meeting_link == "https://meet.jit.si/mentorbot-tok1"
    assert request_now(ctx, request.id).status is R.SCHEDULED

    clock.set(SLOT + HOUR + timedelta(minutes=5))
    done = record_outcome(ctx, mentor.id, session.id, Outcome.COMPLETED)
    assert (done.status, done.completed_at, done.session_duration_minutes) == (
        S.COMPLETED,
        clock.now(),
        60,
    )
    assert request_now(ctx, request.id).status is R.COMPLETED

    rated = rate_session(ctx, student.id, session.id, 5, "  Very helpful!  ")
    assert (rated.session_rating, rated.session_feedback) == (5, "Very helpful!")


def test_each_transition_is_recorded_once_with_its_actor_and_both_statuses(
    ctx, clock, student, mentor
):
    session = booked(ctx, student, mentor)
    clock.set(SLOT + HOUR)
    record_outcome(ctx, mentor.id, session.id, Outcome.COMPLETED)
    rate_session(ctx, student.id, session.id, 4)

    assert moves(ctx, EntityKind.REQUEST, session.request_id) == [
        (None, R.OPEN, student.id),
        (R.OPEN, R.CLAIMED, mentor.id),
        (R.CLAIMED, R.SCHEDULED, mentor.id),
        (R.SCHEDULED, R.COMPLETED, mentor.id),
    ]
    assert moves(ctx, EntityKind.SESSION, session.id) == [
        (None, S.SCHEDULED, mentor.id),
        (S.SCHEDULED, S.COMPLETED, mentor.id),
    ]
    with ctx.uow_factory() as uow:
        times = [e.at for e in uow.events.for_entity(EntityKind.REQUEST, session.request_id)]
    assert times == [START, START, START, SLOT + HOUR]


def test_a_new_request_is_posted_to_the_mentors_feed_and_an_expiry_warning_is_booked(ctx, student):
    request = submit_request(ctx, student.id, a_draft())
    [posted] = notes(ctx, Kind.REQUEST_POSTED)
    assert (posted.audience, posted.request_id, posted.due_at) == (
        Audience.MENTORS,
        request.id,
        START,
    )
    [warning] = pending(ctx, Kind.EXPIRY_WARNING, to=student.id)
    assert warning.due_at == START + timedelta(days=5)  # 48 h before the 7-day expiry


def test_a_preferred_mentor_is_told_personally(ctx, student, mentor):
    submit_request(ctx, student.id, a_draft(preferred_mentor_id=mentor.id))
    assert len(pending(ctx, Kind.REQUEST_FOR_YOU, to=mentor.id)) == 1


def test_the_student_is_told_who_claimed_and_the_expiry_warning_is_dropped(ctx, student, mentor):
    request = claimed(ctx, student, mentor)
    [told] = pending(ctx, Kind.REQUEST_CLAIMED, to=student.id)
    assert (told.request_id, told.payload["mentor_id"]) == (request.id, mentor.id)
    assert pending(ctx, Kind.EXPIRY_WARNING) == []


def test_scheduling_tells_both_and_books_reminders_a_day_and_an_hour_before(ctx, student, mentor):
    session = booked(ctx, student, mentor)
    for person in (student, mentor):
        assert len(pending(ctx, Kind.SESSION_SCHEDULED, to=person.id)) == 1
        reminders = pending(ctx, Kind.REMINDER, to=person.id)
        assert sorted(r.due_at for r in reminders) == [SLOT - timedelta(hours=24), SLOT - HOUR]
        assert {r.payload["offset_minutes"] for r in reminders} == {1440, 60}
        [ask] = pending(ctx, Kind.OUTCOME_PROMPT, to=person.id)
        assert (ask.due_at, ask.session_id) == (session.ends_at, session.id)


def test_a_reminder_whose_time_has_already_passed_is_not_booked(ctx, student, mentor):
    # Today 18:00 Berlin (17:00 UTC) is eight hours away: only the 1-hour reminder fits.
    session = booked(ctx, student, mentor, available_from=date(2026, 3, 2))
    assert session.scheduled_at == datetime(2026, 3, 2, 17, tzinfo=UTC)
    for person in (student, mentor):
        [reminder] = pending(ctx, Kind.REMINDER, to=person.id)
        assert reminder.due_at == session.scheduled_at - HOUR


def test_completion_asks_the_student_to_rate_and_the_mentor_for_notes(ctx, clock, student, mentor):
    session = booked(ctx, student, mentor)
    clock.set(SLOT + HOUR)
    record_outcome(ctx, mentor.id, session.id, Outcome.COMPLETED)
    assert len(pending(ctx, Kind.RATING_PROMPT, to=student.id)) == 1
    assert len(pending(ctx, Kind.MENTOR_NOTES_PROMPT, to=mentor.id)) == 1
    assert pending(ctx, Kind.RATING_PROMPT, to=mentor.id) == []
    assert pending(ctx, Kind.REMINDER) == []
    assert pending(ctx, Kind.OUTCOME_PROMPT) == []


def test_notes_given_with_the_outcome_mean_no_notes_prompt(ctx, clock, student, mentor):
    session = booked(ctx, student, mentor)
    clock.set(SLOT + HOUR)
    record_outcome(ctx, mentor.id, session.id, Outcome.COMPLETED, mentor_notes="Good progress")
    assert notes(ctx, Kind.MENTOR_NOTES_PROMPT) == []


def test_rating_clears_the_pending_rating_prompt(ctx, clock, student, mentor):
    session = booked(ctx, student, mentor)
    clock.set(SLOT + HOUR)
    record_outcome(ctx, mentor.id, session.id, Outcome.COMPLETED)
    rate_session(ctx, student.id, session.id, 5)
    assert pending(ctx, Kind.RATING_PROMPT) == []


# ------------------------------------------------------------------ rescheduling


def test_rescheduling_cancels_the_old_reminders_and_books_new_ones(ctx, student, mentor):
    session = booked(ctx, student, mentor)
    moved = reschedule_session(ctx, student.id, session.id, SLOT + HOUR)
    assert (moved.scheduled_at, moved.ends_at) == (SLOT + HOUR, SLOT + 2 * HOUR)

    old = [n for n in notes(ctx, Kind.REMINDER) if n.status is NotificationStatus.CANCELLED]
    assert sorted({n.due_at for n in old}) == [SLOT - timedelta(hours=24), SLOT - HOUR]
    for person in (student, mentor):
        due = sorted(r.due_at for r in pending(ctx, Kind.REMINDER, to=person.id))
        assert due == [SLOT + HOUR - timedelta(hours=24), SLOT]
        assert [n.due_at for n in pending(ctx, Kind.OUTCOME_PROMPT, to=person.id)] == [
            SLOT + 2 * HOUR
        ]
        [told] = pending(ctx, Kind.SESSION_RESCHEDULED, to=person.id)
        assert told.payload["by"] == student.id
    assert moves(ctx, EntityKind.SESSION, session.id)[-1] == (S.SCHEDULED, S.SCHEDULED, student.id)


def test_moving_a_session_back_to_its_first_time_books_its_reminders_again(ctx, student, mentor):
    session = booked(ctx, student, mentor)
    reschedule_session(ctx, mentor.id, session.id, SLOT + HOUR)
    reschedule_session(ctx, mentor.id, session.id, SLOT)
    for person in (student, mentor):
        due = sorted(r.due_at for r in pending(ctx, Kind.REMINDER, to=person.id))
        assert due == [SLOT - timedelta(hours=24), SLOT - HOUR]
        assert len(pending(ctx, Kind.OUTCOME_PROMPT, to=person.id)) == 1
    reschedule_session(ctx, mentor.id, session.id, SLOT + HOUR)
    assert len(pending(ctx, Kind.SESSION_RESCHEDULED, to=student.id)) == 3


def test_a_session_can_only_move_to_a_free_slot_and_only_by_its_people(ctx, student, mentor):
    session = booked(ctx, student, mentor)
    stranger = add_student(ctx, "Stranger")
    with pytest.raises(NotAllowed):
        reschedule_session(ctx, stranger.id, session.id, SLOT + HOUR)
    with pytest.raises(SlotUnavailable):
        reschedule_session(ctx, mentor.id, session.id, SLOT + timedelta(minutes=10))


# ------------------------------------------------------------------ cancelling


def test_a_student_who_cancels_a_booked_session_gets_the_quota_back(ctx, student, mentor):
    session = booked(ctx, student, mentor, session_type="MOCK_INTERVIEW")
    assert interview_prep_used(ctx, student) == 1

    cancelled = cancel_session(ctx, student.id, session.id, "Got the job already")
    assert cancelled.status is S.CANCELLED
    request = request_now(ctx, session.request_id)
    assert (request.status, request.cancel_reason) == (R.CANCELLED, "Got the job already")
    assert interview_prep_used(ctx, student) == 0
    assert len(pending(ctx, Kind.REQUEST_CANCELLED, to=mentor.id)) == 1
    assert pending(ctx, Kind.REMINDER) == []
    assert pending(ctx, Kind.OUTCOME_PROMPT) == []


def test_a_cancelled_session_frees_the_mentors_slot(ctx, student, mentor):
    session = booked(ctx, student, mentor)
    cancel_session(ctx, student.id, session.id)
    other = claimed(ctx, add_student(ctx, "Kim"), mentor)
    assert available_slots(ctx, mentor.id, other.id)[0] == SLOT


def test_a_mentor_who_cancels_refunds_the_student_and_says_so(ctx, student, mentor):
    session = booked(ctx, student, mentor, session_type="MOCK_INTERVIEW")
    cancel_session(ctx, mentor.id, session.id, "I am ill")

    assert session_now(ctx, session.id).status is S.CANCELLED
    request = request_now(ctx, session.request_id)
    assert (request.status, request.cancel_reason) == (R.CANCELLED, "I am ill")
    assert interview_prep_used(ctx, student) == 0
    [told] = pending(ctx, Kind.REQUEST_CANCELLED, to=student.id)
    assert told.payload["by"] == mentor.id
    assert moves(ctx, EntityKind.REQUEST, request.id)[-1] == (R.SCHEDULED, R.CANCELLED, mentor.id)
    assert moves(ctx, EntityKind.SESSION, session.id)[-1] == (S.SCHEDULED, S.CANCELLED, mentor.id)


def test_nobody_else_can_cancel_a_session(ctx, student, mentor):
    session = booked(ctx, student, mentor)
    with pytest.raises(NotAllowed):
        cancel_session(ctx, add_mentor(ctx, "Max").id, session.id)
    assert session_now(ctx, session.id).status is S.SCHEDULED


def test_an_open_request_can_be_cancelled_once_and_a_second_press_changes_nothing(ctx, student):
    request = submit_request(ctx, student.id, a_draft())
    assert cancel_request(ctx, student.id, request.id).status is R.CANCELLED
    assert cancel_request(ctx, student.id, request.id).status is R.CANCELLED
    assert len(moves(ctx, EntityKind.REQUEST, request.id)) == 2
    assert pending(ctx, Kind.REQUEST_POSTED) == []  # not yet sent: withdrawn


def test_only_the_student_cancels_their_request(ctx, student, mentor):
    request = submit_request(ctx, student.id, a_draft())
    with pytest.raises(NotAllowed, match="Only the student who asked"):
        cancel_request(ctx, mentor.id, request.id)


def test_a_completed_request_cannot_be_cancelled(ctx, clock, student, mentor):
    session = booked(ctx, student, mentor)
    clock.set(SLOT + HOUR)
    record_outcome(ctx, mentor.id, session.id, Outcome.COMPLETED)
    with pytest.raises(InvalidTransition, match="completed"):
        cancel_request(ctx, student.id, session.request_id)


# ------------------------------------------------------------------ no-shows and outcomes


def test_a_mentor_who_did_not_show_up_costs_the_student_nothing(ctx, clock, student, mentor):
    session = booked(ctx, student, mentor, session_type="MOCK_INTERVIEW")
    clock.set(SLOT + HOUR)
    result = record_outcome(ctx, student.id, session.id, Outcome.MENTOR_NO_SHOW)
    assert (result.status, result.no_show_by) == (S.NO_SHOW, NoShowParty.MENTOR)
    request = request_now(ctx, session.request_id)
    assert (request.status, request.quota_refunded) == (R.NO_SHOW, True)
    assert interview_prep_used(ctx, student) == 0
    for person in (student, mentor):
        assert len(pending(ctx, Kind.NO_SHOW_RECORDED, to=person.id)) == 1


def test_a_student_who_did_not_show_up_still_uses_the_quota(ctx, clock, student, mentor):
    session = booked(ctx, student, mentor, session_type="MOCK_INTERVIEW")
    clock.set(SLOT + HOUR)
    record_outcome(ctx, mentor.id, session.id, Outcome.STUDENT_NO_SHOW)
    request = request_now(ctx, session.request_id)
    assert (request.status, request.quota_refunded) == (R.NO_SHOW, False)
    assert interview_prep_used(ctx, student) == 1


def test_nobody_reports_their_own_absence(ctx, clock, student, mentor):
    session = booked(ctx, student, mentor)
    clock.set(SLOT + HOUR)
    with pytest.raises(NotAllowed):
        record_outcome(ctx, mentor.id, session.id, Outcome.MENTOR_NO_SHOW)
    with pytest.raises(NotAllowed):
        record_outcome(ctx, student.id, session.id, Outcome.STUDENT_NO_SHOW)


def test_an_outcome_cannot_be_reported_before_the_session_starts(ctx, clock, student, mentor):
    session = booked(ctx, student, mentor)
    clock.set(SLOT - timedelta(minutes=1))
    with pytest.raises(ValidationFailed, match="not started yet"):
        record_outcome(ctx, mentor.id, session.id, Outcome.COMPLETED)


def test_the_first_outcome_wins_and_the_same_answer_again_is_harmless(ctx, clock, student, mentor):
    session = booked(ctx, student, mentor)
    clock.set(SLOT + HOUR)
    record_outcome(ctx, mentor.id, session.id, Outcome.COMPLETED)
    assert record_outcome(ctx, student.id, session.id, Outcome.COMPLETED).status is S.COMPLETED
    with pytest.raises(InvalidTransition, match="Already recorded as completed"):
        record_outcome(ctx, student.id, session.id, Outcome.MENTOR_NO_SHOW)
    assert len(moves(ctx, EntityKind.SESSION, session.id)) == 2


# ------------------------------------------------------------------ expiry, extension, repost


def test_an_unclaimed_request_expires_after_seven_days_exactly_once(ctx, clock, student):
    request = submit_request(ctx, student.id, a_draft())
    clock.set(START + timedelta(days=7) - timedelta(seconds=1))
    assert expire_stale_requests(ctx) == []

    clock.set(START + timedelta(days=7))
    assert expire_stale_requests(ctx) == [request.id]
    assert request_now(ctx, request.id).status is R.EXPIRED
    [told] = pending(ctx, Kind.REQUEST_EXPIRED, to=student.id)
    assert told.request_id == request.id
    assert moves(ctx, EntityKind.REQUEST, request.id)[-1] == (R.OPEN, R.EXPIRED, None)

    assert expire_stale_requests(ctx) == []
    assert len(notes(ctx, Kind.REQUEST_EXPIRED)) == 1
    assert len(moves(ctx, EntityKind.REQUEST, request.id)) == 2


def test_a_claimed_request_does_not_expire(ctx, clock, student, mentor):
    request = claimed(ctx, student, mentor)
    clock.set(START + timedelta(days=30))
    assert expire_stale_requests(ctx) == []
    assert request_now(ctx, request.id).status is R.CLAIMED


def test_an_expired_request_no_longer_counts_towards_the_limits(ctx, clock, student):
    submit_request(ctx, student.id, a_draft(session_type="MOCK_INTERVIEW"))
    clock.set(START + timedelta(days=7))
    expire_stale_requests(ctx)
    assert interview_prep_used(ctx, student) == 0


def test_extending_keeps_a_request_open_another_week_and_moves_the_warning(ctx, clock, student):
    request = submit_request(ctx, student.id, a_draft())
    clock.set(START + timedelta(days=6))
    extended = extend_request(ctx, student.id, request.id)
    assert extended.expires_at == START + timedelta(days=14)
    [warning] = pending(ctx, Kind.EXPIRY_WARNING)
    assert warning.due_at == START + timedelta(days=12)

    clock.set(START + timedelta(days=8))
    assert expire_stale_requests(ctx) == []
    clock.set(START + timedelta(days=14))
    assert expire_stale_requests(ctx) == [request.id]


def test_only_the_student_extends_and_only_an_open_request(ctx, student, mentor):
    request = submit_request(ctx, student.id, a_draft())
    with pytest.raises(NotAllowed):
        extend_request(ctx, mentor.id, request.id)
    claim_request(ctx, mentor.id, request.id)
    with pytest.raises(InvalidTransition, match="claimed"):
        extend_request(ctx, student.id, request.id)
    assert pending(ctx, Kind.EXPIRY_WARNING) == []
    assert request_now(ctx, request.id).expires_at == START + timedelta(days=7)


def test_an_expired_request_is_reposted_with_its_dates_moved_forward(ctx, clock, student):
    request = submit_request(ctx, student.id, a_draft(tags=["python", "sql"]))
    clock.set(START + timedelta(days=7))
    expire_stale_requests(ctx)

    again = repost_request(ctx, student.id, request.id)
    assert again.id != request.id
    assert again.status is R.OPEN
    assert (again.title, again.tags) == (request.title, request.tags)
    assert (again.available_from, again.available_until) == (date(2026, 3, 9), date(2026, 3, 19))
    assert again.expires_at == clock.now() + timedelta(days=7)
    assert repost_request(ctx, student.id, request.id).id == again.id  # second press


def test_an_active_request_is_not_reposted(ctx, student):
    request = submit_request(ctx, student.id, a_draft())
    with pytest.raises(ValidationFailed, match="still active"):
        repost_request(ctx, student.id, request.id)


# ------------------------------------------------------------------ submitting


def test_submitting_the_same_form_twice_creates_one_request(ctx, student):
    first = submit_request(ctx, student.id, a_draft(submission_key="form-7"))
    second = submit_request(ctx, student.id, a_draft(submission_key="form-7"))
    assert second.id == first.id
    assert [r.id for r in my_requests(ctx, student.id)] == [first.id]
    assert len(notes(ctx, Kind.REQUEST_POSTED)) == 1


def test_a_fourth_interview_prep_request_is_refused_until_one_is_cancelled(ctx, student):
    made = [
        submit_request(ctx, student.id, a_draft(session_type="MOCK_INTERVIEW")) for _ in range(3)
    ]
    with pytest.raises(LimitReached, match=r"Interview prep limit \(3 of 3 used\)"):
        submit_request(ctx, student.id, a_draft(session_type="BEHAVIORAL_PREP"))
    assert len(my_requests(ctx, student.id)) == 3
    cancel_request(ctx, student.id, made[0].id)
    assert submit_request(ctx, student.id, a_draft(session_type="BEHAVIORAL_PREP")).id


def test_an_invalid_draft_stores_nothing(ctx, student):
    commits = store_of(ctx).commits
    with pytest.raises(ValidationFailed):
        submit_request(ctx, student.id, a_draft(title=""))
    assert my_requests(ctx, student.id) == []
    assert notes(ctx) == []
    assert store_of(ctx).commits == commits


def test_dates_are_checked_against_the_students_own_today(ctx, clock):
    # 02:00 UTC on 3 March is still 2 March in New York and already 3 March in Tokyo.
    clock.set(datetime(2026, 3, 3, 2, tzinfo=UTC))
    new_yorker = add_student(ctx, "Ny", "America/New_York")
    tokyoite = add_student(ctx, "Tk", "Asia/Tokyo")
    draft = a_draft(available_from=date(2026, 3, 2), available_until=date(2026, 3, 5))
    assert submit_request(ctx, new_yorker.id, draft).available_from == date(2026, 3, 2)
    with pytest.raises(ValidationFailed, match="in the past"):
        submit_request(ctx, tokyoite.id, draft)


def test_a_preferred_mentor_must_be_an_approved_mentor(ctx, student):
    pending_mentor = add_mentor(ctx, "Pat", approved=False)
    with pytest.raises(ValidationFailed, match="not available"):
        submit_request(ctx, student.id, a_draft(preferred_mentor_id=pending_mentor.id))


# ------------------------------------------------------------------ claiming


def test_a_mentor_not_yet_approved_cannot_claim(ctx, student):
    request = submit_request(ctx, student.id, a_draft())
    waiting = add_mentor(ctx, "Pat", approved=False)
    with pytest.raises(NotAllowed, match="not approved yet"):
        claim_request(ctx, waiting.id, request.id)
    with pytest.raises(NotAllowed, match="Only mentors"):
        claim_request(ctx, add_student(ctx, "Kim").id, request.id)
    assert request_now(ctx, request.id).status is R.OPEN


def test_a_mentor_cannot_claim_their_own_request(ctx):
    both = add_mentor(ctx, "Max")
    request = submit_request(ctx, both.id, a_draft())
    with pytest.raises(NotAllowed, match="your own request"):
        claim_request(ctx, both.id, request.id)


def test_the_second_mentor_to_claim_is_told_who_was_first(ctx, student, mentor):
    request = claimed(ctx, student, mentor)
    with pytest.raises(AlreadyClaimed) as caught:
        claim_request(ctx, add_mentor(ctx, "Max").id, request.id)
    assert caught.value.claimer_name == "Mia"
    assert caught.value.user_message == "Already claimed by Mia."
    assert request_now(ctx, request.id).claimed_by == mentor.id


def test_pressing_claim_twice_is_harmless(ctx, student, mentor):
    request = claimed(ctx, student, mentor)
    again = claim_request(ctx, mentor.id, request.id)
    assert (again.status, again.claimed_by) == (R.CLAIMED, mentor.id)
    assert len(moves(ctx, EntityKind.REQUEST, request.id)) == 2
    assert len(notes(ctx, Kind.REQUEST_CLAIMED)) == 1
    assert [r.id for r in my_claims(ctx, mentor.id)] == [request.id]


def test_an_expired_request_cannot_be_claimed(ctx, clock, student, mentor):
    request = submit_request(ctx, student.id, a_draft())
    clock.set(START + timedelta(days=7))
    expire_stale_requests(ctx)
    with pytest.raises(InvalidTransition, match="expired"):
        claim_request(ctx, mentor.id, request.id)


def test_only_the_claimer_or_an_admin_releases_a_request(ctx, student, mentor, admin):
    request = claimed(ctx, student, mentor)
    with pytest.raises(NotAllowed, match="Only the mentor who claimed"):
        release_request(ctx, add_mentor(ctx, "Max").id, request.id)
    with pytest.raises(NotAllowed):
        release_request(ctx, student.id, request.id)
    released = release_request(ctx, admin.id, request.id, "Mia is away")
    assert (released.status, released.claimed_by, released.claimed_at) == (R.OPEN, None, None)


def test_a_released_request_goes_back_to_the_queue_and_the_student_is_told(ctx, student, mentor):
    request = claimed(ctx, student, mentor)
    release_request(ctx, mentor.id, request.id, "No time after all")
    assert len(pending(ctx, Kind.REQUEST_RELEASED, to=student.id)) == 1
    assert len(notes(ctx, Kind.REQUEST_POSTED)) == 2  # announced again
    assert moves(ctx, EntityKind.REQUEST, request.id)[-1] == (R.CLAIMED, R.OPEN, mentor.id)
    assert claim_request(ctx, add_mentor(ctx, "Max").id, request.id).status is R.CLAIMED


def test_a_released_request_still_warns_the_student_before_it_expires(ctx, student, mentor):
    request = claimed(ctx, student, mentor)
    release_request(ctx, mentor.id, request.id)
    [warning] = pending(ctx, Kind.EXPIRY_WARNING, to=student.id)
    assert warning.due_at == request.expires_at - timedelta(hours=48)


def test_releasing_an_open_request_is_refused(ctx, student, admin):
    request = submit_request(ctx, student.id, a_draft())
    with pytest.raises(InvalidTransition, match="still open"):
        release_request(ctx, admin.id, request.id)


def test_only_an_admin_assigns_a_mentor(ctx, student, mentor, admin):
    request = submit_request(ctx, student.id, a_draft())
    with pytest.raises(NotAllowed, match="Only admins"):
        assign_mentor(ctx, mentor.id, request.id, mentor.id)
    with pytest.raises(NotAllowed, match=r"^Pat is not an approved mentor\."):
        assign_mentor(ctx, admin.id, request.id, add_mentor(ctx, "Pat", approved=False).id)

    assigned = assign_mentor(ctx, admin.id, request.id, mentor.id)
    assert (assigned.status, assigned.claimed_by) == (R.CLAIMED, mentor.id)
    assert len(pending(ctx, Kind.REQUEST_ASSIGNED, to=mentor.id)) == 1
    assert len(pending(ctx, Kind.REQUEST_CLAIMED, to=student.id)) == 1
    with ctx.uow_factory() as uow:
        event = uow.events.for_entity(EntityKind.REQUEST, request.id)[-1]
    assert (event.actor_id, event.reason) == (admin.id, "assigned by an admin")


# ------------------------------------------------------------------ ratings and feedback


def completed(ctx, clock, student, mentor, **outcome):
    session = booked(ctx, student, mentor)
    clock.set(SLOT + HOUR)
    record_outcome(ctx, mentor.id, session.id, Outcome.COMPLETED, **outcome)
    return session


def test_a_session_is_rated_only_after_it_was_completed(ctx, clock, student, mentor):
    session = booked(ctx, student, mentor)
    with pytest.raises(InvalidTransition, match="once it has been completed"):
        rate_session(ctx, student.id, session.id, 5)
    clock.set(SLOT + HOUR)
    record_outcome(ctx, mentor.id, session.id, Outcome.STUDENT_NO_SHOW)
    with pytest.raises(InvalidTransition):
        rate_session(ctx, student.id, session.id, 5)


@pytest.mark.parametrize("rating", [0, 6, -1, True, 4.5, "5"])
def test_a_rating_is_a_whole_number_from_1_to_5(ctx, clock, student, mentor, rating):
    session = completed(ctx, clock, student, mentor)
    with pytest.raises(ValidationFailed, match="from 1 to 5"):
        rate_session(ctx, student.id, session.id, rating)
    assert session_now(ctx, session.id).session_rating is None


def test_a_session_is_rated_once_and_only_by_its_student(ctx, clock, student, mentor):
    session = completed(ctx, clock, student, mentor)
    with pytest.raises(NotAllowed):
        rate_session(ctx, mentor.id, session.id, 5)
    rate_session(ctx, student.id, session.id, 3)
    with pytest.raises(AlreadyRated):
        rate_session(ctx, student.id, session.id, 5)
    assert session_now(ctx, session.id).session_rating == 3


def test_feedback_follows_the_rating_and_is_written_once(ctx, clock, student, mentor):
    session = completed(ctx, clock, student, mentor)
    with pytest.raises(InvalidTransition, match="rating first"):
        leave_feedback(ctx, student.id, session.id, "Great")
    rate_session(ctx, student.id, session.id, 4)
    with pytest.raises(ValidationFailed):
        leave_feedback(ctx, student.id, session.id, "   ")
    assert (
        leave_feedback(ctx, student.id, session.id, "Great tips").session_feedback == "Great tips"
    )
    with pytest.raises(AlreadyRated, match="already saved"):
        leave_feedback(ctx, student.id, session.id, "Changed my mind")
    assert session_now(ctx, session.id).session_feedback == "Great tips"


# ------------------------------------------------------------------ private notes


def test_the_mentors_private_notes_never_reach_the_student(ctx, clock, student, mentor, admin):
    session = completed(ctx, clock, student, mentor, mentor_notes="Weak on SQL joins")
    assert get_session(ctx, mentor.id, session.id).mentor_notes == "Weak on SQL joins"
    assert get_session(ctx, admin.id, session.id).mentor_notes == "Weak on SQL joins"
    assert get_session(ctx, student.id, session.id).mentor_notes is None
    assert [s.mentor_notes for s in my_sessions(ctx, student.id)] == [None]
    assert [s.mentor_notes for s in my_sessions(ctx, mentor.id)] == ["Weak on SQL joins"]
    assert rate_session(ctx, student.id, session.id, 5).mentor_notes is None
    assert leave_feedback(ctx, student.id, session.id, "Thanks").mentor_notes is None
    _, sessions = export_rows(ctx, admin.id)
    assert sessions[0].mentor_notes == "Weak on SQL joins"


def test_only_the_mentor_writes_notes_and_the_real_duration(ctx, clock, student, mentor):
    session = completed(ctx, clock, student, mentor)
    with pytest.raises(NotAllowed):
        update_mentor_notes(ctx, student.id, session.id, mentor_notes="I was great")
    updated = update_mentor_notes(
        ctx, mentor.id, session.id, mentor_notes="Follow up on CV", duration_minutes=75
    )
    assert (updated.mentor_notes, updated.session_duration_minutes) == ("Follow up on CV", 75)
    assert pending(ctx, Kind.MENTOR_NOTES_PROMPT) == []


def test_a_stranger_cannot_look_at_a_session(ctx, student, mentor):
    session = booked(ctx, student, mentor)
    with pytest.raises(NotAllowed):
        get_session(ctx, add_student(ctx, "Eve").id, session.id)


# ------------------------------------------------------------------ admin powers


def test_only_admins_approve_mentors(ctx, student, mentor, admin):
    applicant = add_mentor(ctx, "Pat", approved=False)
    with pytest.raises(NotAllowed, match="Only admins"):
        decide_mentor(ctx, mentor.id, applicant.id, True)
    with pytest.raises(NotAllowed):
        pending_mentors(ctx, applicant.id)
    assert [name for name, _ in pending_mentors(ctx, admin.id)] == ["Pat"]

    decide_mentor(ctx, admin.id, applicant.id, True)
    assert len(pending(ctx, Kind.MENTOR_APPROVED, to=applicant.id)) == 1
    request = submit_request(ctx, student.id, a_draft())
    assert claim_request(ctx, applicant.id, request.id).claimed_by == applicant.id
    assert moves(ctx, EntityKind.MENTOR, applicant.id) == [("PENDING", "APPROVED", admin.id)]


def test_only_admins_see_statistics_and_exports(ctx, student, mentor, admin):
    for outsider in (student, mentor):
        with pytest.raises(NotAllowed):
            admin_stats(ctx, outsider.id)
        with pytest.raises(NotAllowed):
            export_rows(ctx, outsider.id)
        with pytest.raises(NotAllowed):
            grant_admin(ctx, outsider.id, outsider.id)
    assert admin_stats(ctx, admin.id).ratings == 0


# ------------------------------------------------------------------ double booking


def test_a_time_offered_for_a_later_day_can_be_booked_past_the_first_offers():
    """The mentor asks for the second week's times (the day picker) and books one. It is
    free, so it is booked, though the range's own list (capped at 3 here) stops in the
    first week."""
    ctx = make_context(policy=Policy(max_slots_offered=3))
    student, mentor = add_student(ctx, "Sam"), add_mentor(ctx, "Mia")
    request = claimed(ctx, student, mentor, available_until=date(2026, 3, 20))
    assert available_slots(ctx, mentor.id, request.id) == [SLOT, SLOT + HALF_HOUR, SLOT + HOUR]
    second_week = (date(2026, 3, 16), date(2026, 3, 16))
    later = available_slots(ctx, mentor.id, request.id, second_week)[0]
    assert later == SLOT + timedelta(days=7)

    session = schedule_session(ctx, mentor.id, request.id, later)

    assert session.scheduled_at == later
    with pytest.raises(SlotUnavailable):  # outside the request's dates: still refused
        reschedule_session(ctx, mentor.id, session.id, SLOT + timedelta(days=14))


def test_a_mentor_cannot_be_booked_into_two_overlapping_slots(ctx, student, mentor):
    booked(ctx, student, mentor)
    other = claimed(ctx, add_student(ctx, "Kim"), mentor)
    assert available_slots(ctx, mentor.id, other.id) == [SLOT + HOUR]
    for clash in (SLOT, SLOT + HALF_HOUR):
        with pytest.raises(SlotUnavailable):
            schedule_session(ctx, mentor.id, other.id, clash)
    assert request_now(ctx, other.id).status is R.CLAIMED
    assert schedule_session(ctx, mentor.id, other.id, SLOT + HOUR).scheduled_at == SLOT + HOUR


def test_a_student_cannot_be_booked_into_two_overlapping_sessions(ctx, student, mentor):
    booked(ctx, student, mentor)
    second_mentor = add_mentor(ctx, "Max")
    other = claimed(ctx, student, second_mentor)
    assert SLOT not in available_slots(ctx, second_mentor.id, other.id)
    with pytest.raises(SlotUnavailable):
        schedule_session(ctx, second_mentor.id, other.id, SLOT + HALF_HOUR)


def test_a_refused_booking_leaves_nothing_behind(ctx, student, mentor):
    request = claimed(ctx, student, mentor)
    before = len(notes(ctx))
    with pytest.raises(SlotUnavailable):
        schedule_session(ctx, mentor.id, request.id, SLOT + timedelta(minutes=5))
    assert my_sessions(ctx, student.id) == []
    assert len(notes(ctx)) == before


def test_only_the_claiming_mentor_schedules(ctx, student, mentor):
    request = claimed(ctx, student, mentor)
    with pytest.raises(NotAllowed):
        schedule_session(ctx, add_mentor(ctx, "Max").id, request.id, SLOT)
    with pytest.raises(NotAllowed):
        available_slots(ctx, add_student(ctx, "Eve").id, request.id)


def test_a_mentors_own_meeting_link_is_used_when_set(ctx, student):
    linked = add_mentor(ctx, "Lin", meeting_link="https://zoom.example/lin")
    assert booked(ctx, student, linked).meeting_link == "https://zoom.example/lin"


# ------------------------------------------------------------------ listings


def test_mentors_are_listed_best_rated_first_with_their_average(ctx, clock):
    mia, max_ = add_mentor(ctx, "Mia"), add_mentor(ctx, "Max")
    add_mentor(ctx, "Uma")
    add_mentor(ctx, "Pat", approved=False)
    sessions = [
        (booked(ctx, add_student(ctx, "S1"), mia), 4),
        (booked(ctx, add_student(ctx, "S2"), mia), 2),
        (booked(ctx, add_student(ctx, "S3"), max_), 5),
    ]
    clock.set(SLOT + 3 * HOUR)
    for session, stars in sessions:
        record_outcome(ctx, session.mentor_id, session.id, Outcome.COMPLETED)
        rate_session(ctx, session.student_id, session.id, stars)

    listed = [(m.name, m.average_rating, m.ratings) for m in list_mentors(ctx)]
    assert listed == [("Max", 5.0, 1), ("Mia", 3.0, 2), ("Uma", None, 0)]


def test_a_mentors_queue_puts_requests_for_them_first_then_matching_tags_urgency_and_age(
    ctx, clock
):
    mia = add_mentor(ctx, "Mia", tags=("python", "backend"))
    students = [add_student(ctx, f"S{i}") for i in range(3)]

    def submit(who, **draft):
        clock.advance(timedelta(minutes=1))
        return submit_request(ctx, students[who].id, a_draft(**draft)).id

    oldest_low = submit(0, urgency="low", tags=[])
    normal = submit(0, urgency="normal", tags=[])
    high = submit(0, urgency="high", tags=[])
    one_tag = submit(1, urgency="low", tags=["python"])
    for_mia = submit(1, urgency="low", tags=[], preferred_mentor_id=mia.id)
    newer_high = submit(1, urgency="high", tags=[])
    two_tags = submit(2, urgency="normal", tags=["Backend", "python"])
    own = submit_request(ctx, mia.id, a_draft()).id
    taken = submit(2)
    claim_request(ctx, add_mentor(ctx, "Max").id, taken)

    queue = [r.id for r in open_requests_for_mentor(ctx, mia.id)]
    assert queue == [for_mia, two_tags, one_tag, high, newer_high, normal, oldest_low]
    assert own not in queue


def test_get_request_is_for_its_student_mentors_and_admins(ctx, student, mentor, admin):
    request = submit_request(ctx, student.id, a_draft())
    for viewer in (student, mentor, admin):
        assert get_request(ctx, viewer.id, request.id).id == request.id
    with pytest.raises(NotAllowed):
        get_request(ctx, add_student(ctx, "Eve").id, request.id)


# ------------------------------------------------------------------ statistics


def test_the_admin_statistics_count_what_happened(ctx, clock, admin):
    mia = add_mentor(ctx, "Mia")
    people = [add_student(ctx, f"S{i}") for i in range(5)]
    short = {"duration_minutes": 30}
    a, b, _still_open, d, e = (submit_request(ctx, p.id, a_draft(**short)).id for p in people)

    cancel_request(ctx, people[3].id, d)  # withdrawn before anyone claimed it
    waits = {a: 1, e: 2, b: 3}  # hours until claimed
    for request_id, hours in waits.items():
        clock.set(START + timedelta(hours=hours))
        claim_request(ctx, mia.id, request_id)
    sessions = {}
    for request_id in waits:
        first = available_slots(ctx, mia.id, request_id)[0]
        sessions[request_id] = schedule_session(ctx, mia.id, request_id, first).id

    clock.set(SLOT + 2 * HOUR)
    record_outcome(ctx, mia.id, sessions[a], Outcome.COMPLETED)
    record_outcome(ctx, mia.id, sessions[e], Outcome.COMPLETED)
    record_outcome(ctx, mia.id, sessions[b], Outcome.STUDENT_NO_SHOW)
    rate_session(ctx, people[0].id, sessions[a], 4)
    rate_session(ctx, people[4].id, sessions[e], 2)

    stats = admin_stats(ctx, admin.id)
    assert stats.requests_by_status == {"COMPLETED": 2, "NO_SHOW": 1, "OPEN": 1, "CANCELLED": 1}
    assert stats.requests_by_type == {"career-guidance": 5}
    assert stats.claim_rate == 0.75  # 3 claimed of the 4 that left OPEN
    assert stats.median_time_to_claim == timedelta(hours=2)
    assert stats.completion_rate == pytest.approx(2 / 3)
    assert stats.no_show_rate == pytest.approx(1 / 3)
    assert (stats.average_rating, stats.ratings) == (3.0, 2)


def test_statistics_of_an_empty_database_have_no_rates(ctx, admin):
    stats = admin_stats(ctx, admin.id)
    assert (stats.claim_rate, stats.median_time_to_claim, stats.average_rating) == (
        None,
        None,
        None,
    )


# ------------------------------------------------------------------ slots through the service


def test_a_windowless_mentor_offers_no_slots(ctx, student):
    idle = add_mentor(ctx, "Ida", windows=())
    request = claimed(ctx, student, idle)
    assert available_slots(ctx, idle.id, request.id) == []


def test_windows_are_read_in_the_mentors_zone(ctx, student):
    tokyo = add_mentor(ctx, "Ken", tz="Asia/Tokyo", windows=((1, time(9), time(10)),))
    request = claimed(ctx, student, tokyo, available_from=date(2026, 3, 2))
    # Tuesday 09:00 in Tokyo is Tuesday 00:00 UTC, Monday 19:00 in New York (EST).
    assert available_slots(ctx, tokyo.id, request.id)[0] == datetime(2026, 3, 3, 0, tzinfo=UTC)


# ------------------------------------------------------------------ corrections found in review


def test_an_admin_who_cancels_tells_both_the_student_and_the_mentor(ctx, student, mentor, admin):
    session = booked(ctx, student, mentor)
    cancel_session(ctx, admin.id, session.id, "duplicate booking")

    assert len(pending(ctx, Kind.REQUEST_CANCELLED, to=student.id)) == 1
    assert len(pending(ctx, Kind.REQUEST_CANCELLED, to=mentor.id)) == 1
    assert pending(ctx, Kind.REQUEST_CANCELLED, to=admin.id) == []


def test_the_student_who_cancels_is_not_told_about_their_own_cancellation(ctx, student, mentor):
    session = booked(ctx, student, mentor)
    cancel_session(ctx, student.id, session.id)

    assert pending(ctx, Kind.REQUEST_CANCELLED, to=student.id) == []
    assert len(pending(ctx, Kind.REQUEST_CANCELLED, to=mentor.id)) == 1


def test_claiming_a_cancelled_request_says_it_was_cancelled_not_claimed(ctx, student, mentor):
    request = claimed(ctx, student, mentor)
    cancel_request(ctx, student.id, request.id)
    other = add_mentor(ctx, "Max")

    with pytest.raises(InvalidTransition, match="cancelled"):
        claim_request(ctx, other.id, request.id)


def test_a_stale_release_does_not_undo_another_mentors_new_claim(ctx, student, mentor):
    request = claimed(ctx, student, mentor)
    release_request(ctx, mentor.id, request.id)
    other = add_mentor(ctx, "Max")
    claim_request(ctx, other.id, request.id)

    with pytest.raises(NotAllowed):
        release_request(ctx, mentor.id, request.id)
    assert request_now(ctx, request.id).claimed_by == other.id


def test_claim_release_and_claim_again_at_one_instant_tells_the_student_each_time(
    ctx, student, mentor
):
    request = claimed(ctx, student, mentor)
    release_request(ctx, mentor.id, request.id)
    claim_request(ctx, mentor.id, request.id)

    assert len(pending(ctx, Kind.REQUEST_CLAIMED, to=student.id)) == 2


def test_an_expired_repost_can_be_reposted_again_on_a_later_day(ctx, clock, student):
    original = submit_request(ctx, student.id, a_draft())
    clock.advance(timedelta(days=8))
    expire_stale_requests(ctx)
    first = repost_request(ctx, student.id, original.id)
    assert repost_request(ctx, student.id, original.id).id == first.id  # a double tap

    clock.advance(timedelta(days=8))
    expire_stale_requests(ctx)
    second = repost_request(ctx, student.id, original.id)
    assert second.id != first.id
    assert request_now(ctx, second.id).status is R.OPEN


def test_only_the_student_can_open_the_edit_form_and_only_while_the_request_is_open(
    ctx, student, mentor
):
    from core.services.requests import draft_for_edit

    request = submit_request(ctx, student.id, a_draft(title="Mock for a backend role"))
    draft = draft_for_edit(ctx, student.id, request.id)
    assert (draft.title, draft.session_type) == ("Mock for a backend role", request.session_type)
    with pytest.raises(NotAllowed):
        draft_for_edit(ctx, mentor.id, request.id)

    claim_request(ctx, mentor.id, request.id)
    with pytest.raises(InvalidTransition, match="claimed"):
        draft_for_edit(ctx, student.id, request.id)
