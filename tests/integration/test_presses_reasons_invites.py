"""Issue 11, items 4, 5, 10 and 13 through the services on a real database.

Repeated presses change nothing and tell nobody; a move, a release and a cancel keep
their reason and who made them, and the other side is told both; a booked session's
calendar invite is updated on a move and withdrawn (METHOD:CANCEL) on a cancel, with the
same UID and a higher SEQUENCE; ids that never existed are named as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from core.clock import MovableClock
from core.delivery.texts import Facts, render
from core.errors import AlreadyDone, DomainError, NotAllowed, ValidationFailed
from core.events import EntityKind
from core.notifications import Kind, Notification
from core.services.claims import assign_mentor_once, claim_request, release_request
from core.services.context import ServiceContext
from core.services.mentors import decide_mentor_once
from core.services.moves import keep_move_reason
from core.services.outcomes import record_outcome
from core.services.requests import extend_request, repost_request, submit_request
from core.services.sessions import (
    available_slots,
    cancel_session,
    reschedule_session,
    schedule_session,
)
from core.sessions import Outcome
from tests.integration.helpers import (
    CATALOGUE,
    add_admin,
    add_mentor,
    add_student,
    local_date,
    make_context,
    valid_draft,
)

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@dataclass
class World:
    ctx: ServiceContext
    admin: int
    student: int
    mentor: int
    request: int


@pytest.fixture
def w(database_url: str) -> World:
    ctx = make_context(database_url, MovableClock(START))
    admin = add_admin(ctx, "Ada")
    student = add_student(ctx, "Sam", "America/Los_Angeles")
    mentor = add_mentor(ctx, admin, "Mia")
    draft = valid_draft(local_date(START, "America/Los_Angeles"), starting_in=1)
    request = submit_request(ctx, student, draft).id
    return World(ctx, admin, student, mentor, request)


def booked(w: World) -> tuple[int, list[datetime]]:
    claim_request(w.ctx, w.mentor, w.request)
    times = available_slots(w.ctx, w.mentor, w.request)
    assert len(times) >= 3
    return schedule_session(w.ctx, w.mentor, w.request, times[0]).id, times


def pending(w: World) -> list[Notification]:
    with w.ctx.uow_factory() as uow:
        return uow.notifications.pending()


def rendered(w: World, n: Notification) -> tuple[str, list[Calendar]]:
    """The text and the calendar files of a notification, as its recipient gets it."""
    with w.ctx.uow_factory() as uow:
        recipient = uow.members.get(n.recipient_id) if n.recipient_id else None
        request = uow.requests.get(n.request_id) if n.request_id else None
        session = uow.sessions.get(n.session_id) if n.session_id else None
        names = {
            m.id: m.display_name
            for m in uow.members.get_many([w.student, w.mentor, w.admin]).values()
        }
    message = render(Facts(n, recipient, CATALOGUE, request, session, names))
    return message.text, [Calendar.from_ical(a.content) for a in message.attachments]


def events(
    w: World, entity: EntityKind, entity_id: int
) -> list[tuple[str, int | None, str | None]]:
    with w.ctx.uow_factory() as uow:
        found = uow.events.for_entity(entity, entity_id)
    return [(e.to_status, e.actor_id, e.reason) for e in found]


# ------------------------------------------------------------------ calendar (item 10)


def test_a_move_updates_and_a_cancel_withdraws_the_invite_in_both_calendars(w: World) -> None:
    session, times = booked(w)
    written = {n.id: n for n in pending(w)}  # the cancel withdraws what is still pending
    keep_move_reason(w.ctx, w.student, session, "A dentist appointment")
    reschedule_session(w.ctx, w.student, session, times[1])
    written |= {n.id: n for n in pending(w)}
    cancel_session(w.ctx, w.mentor, session, "I am ill")
    written |= {n.id: n for n in pending(w)}

    invites: dict[tuple[Kind, int | None], tuple[str, str, int, str]] = {}
    for n in written.values():
        _, calendars = rendered(w, n)
        for calendar in calendars:
            (event,) = calendar.walk("VEVENT")
            invites[(n.kind, n.recipient_id)] = (
                str(calendar["method"]),
                str(event["uid"]),
                int(event["sequence"]),
                str(event["status"]),
            )
    uid = f"session-{session}@mentorbot"
    assert invites == {
        (Kind.SESSION_SCHEDULED, w.student): ("REQUEST", uid, 0, "CONFIRMED"),
        (Kind.SESSION_SCHEDULED, w.mentor): ("REQUEST", uid, 0, "CONFIRMED"),
        (Kind.SESSION_RESCHEDULED, w.student): ("REQUEST", uid, 1, "CONFIRMED"),
        (Kind.SESSION_RESCHEDULED, w.mentor): ("REQUEST", uid, 1, "CONFIRMED"),
        # the student is told of the cancel; the mentor, who cancelled, gets the file too
        (Kind.REQUEST_CANCELLED, w.student): ("CANCEL", uid, 2, "CANCELLED"),
        (Kind.SESSION_CANCELLED, w.mentor): ("CANCEL", uid, 2, "CANCELLED"),
    }


def test_two_moves_in_the_same_minute_still_get_higher_sequences(w: World) -> None:
    """The SEQUENCE used to be minutes since 2020: two updates within a minute tied."""
    session, times = booked(w)
    reschedule_session(w.ctx, w.mentor, session, times[1])
    reschedule_session(w.ctx, w.mentor, session, times[2])
    sequences = sorted(
        int(calendar.walk("VEVENT")[0]["sequence"])
        for n in pending(w)
        if n.kind == Kind.SESSION_RESCHEDULED and n.recipient_id == w.student
        for calendar in rendered(w, n)[1]
    )
    assert sequences == [1, 2]


# ------------------------------------------------------------------ reasons and who (item 5)


def test_a_move_keeps_the_movers_reason_and_the_other_side_reads_both(w: World) -> None:
    session, times = booked(w)
    keep_move_reason(w.ctx, w.student, session, "A dentist appointment")
    moved = reschedule_session(w.ctx, w.student, session, times[1])
    assert moved.move_reason is None
    assert events(w, EntityKind.SESSION, session)[-1] == (
        "SCHEDULED",
        w.student,
        "A dentist appointment",
    )
    (to_mentor,) = [
        n for n in pending(w) if n.kind == Kind.SESSION_RESCHEDULED and n.recipient_id == w.mentor
    ]
    text, _ = rendered(w, to_mentor)
    assert text.startswith('Moved by Sam: "Help me prepare my next career step" is now on ')
    assert "Reason: A dentist appointment" in text
    with w.ctx.uow_factory() as uow:
        stored = uow.sessions.get(session)
    assert stored is not None and stored.move_reason is None and stored.move_reason_by is None


def test_one_sides_reason_is_never_used_for_the_other_sides_move(w: World) -> None:
    session, times = booked(w)
    keep_move_reason(w.ctx, w.student, session, "A dentist appointment")
    reschedule_session(w.ctx, w.mentor, session, times[1])
    assert "dentist" not in str(events(w, EntityKind.SESSION, session)[-1][2])


def test_only_the_two_people_may_give_a_reason_to_move(w: World) -> None:
    session, _ = booked(w)
    with pytest.raises(NotAllowed):
        keep_move_reason(w.ctx, w.admin, session, "because")


def test_the_release_reason_and_who_reach_the_student(w: World) -> None:
    claim_request(w.ctx, w.mentor, w.request)
    release_request(w.ctx, w.mentor, w.request, "My week filled up")
    assert events(w, EntityKind.REQUEST, w.request)[-1] == ("OPEN", w.mentor, "My week filled up")
    (released,) = [n for n in pending(w) if n.kind == Kind.REQUEST_RELEASED]
    text, _ = rendered(w, released)
    assert 'Mia released "Help me prepare my next career step"' in text
    assert "Reason: My week filled up." in text


# ------------------------------------------------------------------ idempotent presses (item 4)


def test_rebooking_the_booked_time_changes_nothing_and_tells_nobody(w: World) -> None:
    session, times = booked(w)
    before = (len(pending(w)), events(w, EntityKind.SESSION, session))
    with pytest.raises(AlreadyDone, match=r"That is already the time\."):
        reschedule_session(w.ctx, w.student, session, times[0])
    assert (len(pending(w)), events(w, EntityKind.SESSION, session)) == before


def test_extend_works_once_per_expiry_warning(w: World) -> None:
    with w.ctx.uow_factory() as uow:
        request = uow.requests.get(w.request)
    assert request is not None
    shown = request.expires_at.replace(microsecond=0)  # a button carries whole seconds
    first = extend_request(w.ctx, w.student, w.request, shown)
    assert first.expires_at == request.expires_at + w.ctx.policy.extension
    with pytest.raises(AlreadyDone) as second:
        extend_request(w.ctx, w.student, w.request, shown)
    # 16 March 08:00 UTC is 01:00 in Los Angeles (summer time since the 8th)
    assert (
        second.value.user_message
        == "Already extended to Mon 16 Mar 2026, 01:00 (America/Los_Angeles)."
    )
    with w.ctx.uow_factory() as uow:
        again = uow.requests.get(w.request)
    assert again is not None and again.expires_at == first.expires_at


def test_a_repeated_approve_or_assign_tells_nobody_again(w: World) -> None:
    assert not decide_mentor_once(w.ctx, w.admin, w.mentor, True).told
    assert assign_mentor_once(w.ctx, w.admin, w.request, w.mentor).told
    before = len(pending(w))
    assert not assign_mentor_once(w.ctx, w.admin, w.request, w.mentor).told
    assert not decide_mentor_once(w.ctx, w.admin, w.mentor, True).told
    assert len(pending(w)) == before


# ------------------------------------------------------------------ misleading texts (item 13)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda w: claim_request(w.ctx, w.mentor, 99999), "There is no request #99999."),
        (lambda w: cancel_session(w.ctx, w.student, 88888), "There is no session #88888."),
        (lambda w: decide_mentor_once(w.ctx, w.admin, 77777, True), "There is no mentor #77777."),
        (
            lambda w: assign_mentor_once(w.ctx, w.admin, w.request, 77777),
            "There is no mentor #77777.",
        ),
        (
            lambda w: assign_mentor_once(w.ctx, w.admin, w.request, w.student),
            "Sam is not an approved mentor.",
        ),
    ],
    ids=["request", "session", "mentor", "assign-nobody", "assign-a-student"],
)
def test_ids_that_name_nothing_or_no_mentor_are_said_plainly(
    w: World, call: object, message: str
) -> None:
    with pytest.raises(DomainError) as refused:
        call(w)  # type: ignore[operator]
    assert refused.value.user_message == message
    assert "become_mentor" not in str(refused.value.hint or "")


def test_a_student_picking_a_slot_is_not_told_to_become_a_mentor(w: World) -> None:
    claim_request(w.ctx, w.mentor, w.request)
    (first, *_) = available_slots(w.ctx, w.student, w.request)
    with pytest.raises(NotAllowed) as refused:
        schedule_session(w.ctx, w.student, w.request, first)
    assert refused.value.user_message == "Only the mentor who claimed this request can schedule it."
    assert refused.value.hint is None


def test_reposting_a_no_show_request_does_not_call_it_active(w: World) -> None:
    session, times = booked(w)
    w.ctx.clock.set(times[0] + timedelta(hours=2))  # type: ignore[attr-defined]
    record_outcome(w.ctx, w.student, session, Outcome.MENTOR_NO_SHOW)
    with pytest.raises(ValidationFailed) as refused:
        repost_request(w.ctx, w.student, w.request)
    assert "still active" not in refused.value.user_message
    assert "no-show" in refused.value.user_message
