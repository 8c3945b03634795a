"""Random sequences of everything people do, checked against a model after every step.

Hypothesis drives students, mentors and an admin through the real services on a real
database: submit, claim, assign, release, schedule, reschedule, cancel, move the clock,
expire, record the outcome, rate, leave feedback and write private notes. The machine keeps
a small model of what each action should have done (which status each request and session
is in, and how many transitions each has had), and after every step reads the database
through a unit of work and checks that:

- every status change in the event log is allowed by ``REQUEST_TRANSITIONS`` /
  ``SESSION_TRANSITIONS``, each entity's events form one chain ending in its current status,
  and there is exactly one event per transition the machine performed;
- a rating exists only on a completed session and is 1 to 5;
- no student holds more counted requests than a group's limit or the active cap;
- nobody (as mentor or as student) is in two overlapping scheduled sessions;
- a mentor's private notes never reach the student through ``my_sessions``.

Domain errors are expected outcomes; the model also says when an action must succeed or
must be refused, so a wrong refusal fails as surely as a wrong success. Any other
exception fails the test.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, ClassVar, TypeVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from core.catalogue import SessionGroup
from core.clock import MovableClock
from core.errors import AlreadyClaimed, AlreadyDone, DomainError, LimitReached
from core.events import EntityKind, TransitionEvent
from core.lifecycle import (
    REQUEST_EVENT_MOVES,
    SESSION_TRANSITIONS,
    UNFINISHED_REQUEST_STATES,
    RequestStatus,
    SessionStatus,
)
from core.notifications import Kind
from core.requests import MentorshipRequest
from core.services import requests as request_services
from core.services import sessions as session_services
from core.services.claims import (
    assign_mentor,
    claim_request,
    open_requests_for_mentor,
    release_request,
)
from core.services.context import ServiceContext
from core.services.directed import decline_request, open_or_close_reserved
from core.services.disputes import dispute_no_show, settle_dispute
from core.services.expiry import expire_stale_requests
from core.services.hiding import HIDDEN_DROPS, hide_session, withdraw_request
from core.services.outcomes import (
    leave_feedback,
    rate_session,
    record_outcome,
    update_mentor_notes,
)
from core.services.requests import submit_request
from core.services.sessions import (
    available_slots,
    my_sessions,
    reschedule_session,
    schedule_session,
)
from core.services.stale import expire_past_dates
from core.services.sweeps import reannounce_unclaimed
from core.sessions import MentorshipSession, NoShowParty, Outcome
from tests.integration.helpers import (
    CATALOGUE,
    OFFICE_HOURS,
    START,
    add_admin,
    add_mentor,
    add_student,
    local_date,
    make_context,
    valid_draft,
)

pytestmark = pytest.mark.slow

ACTIVE_CAP = 3
SESSION_TYPES = ["MOCK_INTERVIEW", "BEHAVIORAL_PREP", "PERSONAL_REFERENCE", "career-guidance"]
STUDENT_ZONES = ["UTC", "America/New_York", "Asia/Kolkata"]
MENTOR_ZONES = ["Europe/Berlin", "America/New_York", "Asia/Tokyo"]

MOVES, NOOP, REFUSED = "moves", "no-op", "refused"
CLAIMED_OR_LATER = (RequestStatus.CLAIMED, RequestStatus.SCHEDULED)

PICK = st.integers(0, 10_000)
WILD = st.integers(0, 4)  # 0: pick among all, otherwise among those the rule suits
HOURS = st.one_of(st.integers(1, 48), st.integers(2, 9).map(lambda days: days * 24))

T = TypeVar("T")


@dataclass
class RequestModel:
    student: int
    group: SessionGroup
    status: RequestStatus
    expires_at: datetime
    claimed_by: int | None = None
    refunded: bool = False
    events: int = 1
    session: int | None = None
    deleted: bool = False  # withdrawn by its student or hidden by an admin
    # its dates, as the student's zone reads them, and whom it was addressed to
    last_day: date | None = None
    zone: str = "UTC"
    preferred: int | None = None
    open_to_others: bool = False
    reserved_until: datetime | None = None  # only ``preferred`` may claim until then

    def dates_ended(self, now: datetime) -> bool:
        return self.last_day is not None and local_date(now, self.zone) > self.last_day

    @property
    def counted(self) -> bool:
        if self.deleted and self.status in UNFINISHED_REQUEST_STATES:
            return False  # hidden before it was over: it frees its place
        return self.status not in (RequestStatus.CANCELLED, RequestStatus.EXPIRED) and not (
            self.refunded
        )


@dataclass
class SessionModel:
    request: int
    mentor: int
    student: int
    status: SessionStatus
    start: datetime
    end: datetime
    events: int = 1
    no_show_by: NoShowParty | None = None
    rating: int | None = None
    feedback: bool = False
    notes: str | None = None  # every entry, joined (the seed's column)
    deleted: bool = False
    no_show_at: datetime | None = None
    disputed_by: int | None = None
    settled_as: str | None = None

    @property
    def absent(self) -> int | None:
        """Who a no-show report is about: the one who may dispute it."""
        if self.no_show_by == NoShowParty.MENTOR:
            return self.mentor
        return self.student if self.no_show_by == NoShowParty.STUDENT else None


def _is(status: Any) -> Callable[[Any], bool]:
    return lambda entity: entity.status == status


def _can_advance(machine: LifecycleMachine, request: RequestModel) -> bool:
    if request.deleted:
        return False
    if request.status in (RequestStatus.OPEN, RequestStatus.CLAIMED):
        return True
    if request.session is None:
        return False
    session = machine.sessions[request.session]
    if session.status == SessionStatus.SCHEDULED:
        return machine.now() >= session.start  # it has begun: time to say how it went
    return session.status == SessionStatus.COMPLETED and not session.feedback


class LifecycleMachine(RuleBasedStateMachine):
    # Set by the test that runs the machine: one database, emptied for every example.
    base_context: ClassVar[ServiceContext]
    reset_database: ClassVar[Callable[[], None]]

    def __init__(self) -> None:
        super().__init__()
        type(self).reset_database()
        self.clock = MovableClock(START)
        self.ctx = replace(self.base_context, clock=self.clock)
        self.requests: dict[int, RequestModel] = {}
        self.sessions: dict[int, SessionModel] = {}
        self.notes_written = 0
        self.admin = add_admin(self.ctx)
        self.mentors = [
            add_mentor(self.ctx, self.admin, f"Mentor {i}", zone, OFFICE_HOURS)
            for i, zone in enumerate(MENTOR_ZONES)
        ]
        # The first mentor is also a student: one person, both roles.
        self.students = [
            add_student(self.ctx, f"Student {i}", zone) for i, zone in enumerate(STUDENT_ZONES)
        ] + [self.mentors[0]]
        self.zones = dict(zip(self.students, [*STUDENT_ZONES, MENTOR_ZONES[0]], strict=True))
        self.everyone = [*self.students, *self.mentors[1:]]

    # ------------------------------------------------------------ helpers

    def now(self) -> datetime:
        return self.clock.now()

    @staticmethod
    def choose(items: dict[int, T], suits: Callable[[T], bool], pick: int, wild: int) -> int:
        everything = sorted(items)
        suitable = [key for key in everything if suits(items[key])]
        pool = suitable if suitable and wild else everything
        return pool[pick % len(pool)]

    def attempt(
        self, expected: str, service: Callable[..., T], *args: Any, **kwargs: Any
    ) -> T | None:
        """Call ``service(ctx, *args)``; a domain error must be what the model expected."""
        try:
            result = service(self.ctx, *args, **kwargs)
        except DomainError as error:
            assert expected == REFUSED, f"expected {service.__name__} to succeed; got {error!r}"
            return None
        assert expected != REFUSED, f"expected a refusal; {service.__name__} gave {result!r}"
        return result

    def limit_reached(self, student: int, session_type: str) -> bool:
        group = CATALOGUE.group_of(session_type)
        counted = [r for r in self.requests.values() if r.student == student and r.counted]
        in_group = sum(1 for r in counted if r.group == group)
        active = sum(1 for r in counted if r.status in UNFINISHED_REQUEST_STATES)
        over_group = group is not None and group.limit is not None and in_group >= group.limit
        return over_group or active >= ACTIVE_CAP

    def move_request(self, request_id: int, status: RequestStatus) -> None:
        self.requests[request_id].status = status
        self.requests[request_id].events += 1

    def move_session(self, session_id: int, status: SessionStatus) -> None:
        self.sessions[session_id].status = status
        self.sessions[session_id].events += 1

    def new_notes(self) -> str:
        self.notes_written += 1
        return f"Private: needs work on system design ({self.notes_written})"

    def cancel_with_session(self, request_id: int) -> None:
        """What ``cancel_request`` does: the request and its scheduled session end."""
        self.move_request(request_id, RequestStatus.CANCELLED)
        session_id = self.requests[request_id].session
        if session_id is not None and self.sessions[session_id].status == SessionStatus.SCHEDULED:
            self.move_session(session_id, SessionStatus.CANCELLED)

    # ------------------------------------------------------------ rules: requests

    @rule(
        who=st.integers(0, 3),
        session_type=st.sampled_from(SESSION_TYPES),
        starting_in=st.integers(0, 2),
        days=st.integers(0, 10),
        duration=st.sampled_from([30, 45, 60]),
    )
    def submit(
        self,
        who: int,
        session_type: str,
        starting_in: int,
        days: int,
        duration: int,
        to_mentor: int | None = None,
        open_to_others: bool = False,
    ):
        student = self.students[who]
        today = local_date(self.now(), self.zones[student])
        chosen = None if to_mentor is None else self.mentors[to_mentor]
        if chosen == student:
            return  # nobody can address a request to themselves (the form offers others)
        draft = valid_draft(
            today,
            session_type,
            starting_in=starting_in,
            days=days,
            duration_minutes=duration,
            preferred_mentor_id=chosen,
            open_to_others=open_to_others,
        )
        refused = self.limit_reached(student, session_type)
        try:
            created = submit_request(self.ctx, student, draft)
        except LimitReached as error:
            assert refused, f"refused although under every limit: {error.user_message}"
            return
        assert not refused, "accepted although a limit was reached"
        assert created.expires_at == self.now() + self.ctx.policy.expiry_after
        group = CATALOGUE.group_of(session_type)
        assert group is not None
        self.requests[created.id] = RequestModel(
            student,
            group,
            RequestStatus.OPEN,
            created.expires_at,
            last_day=draft.available_until,
            zone=self.zones[student],
            preferred=draft.preferred_mentor_id,
            open_to_others=draft.open_to_others and draft.preferred_mentor_id is not None,
            reserved_until=(
                self.now() + self.ctx.policy.directed_exclusive_for
                if draft.preferred_mentor_id is not None
                else None
            ),
        )

    @precondition(lambda self: self.requests)
    @rule(mentor=st.integers(0, 2), pick=PICK, wild=WILD, by_admin=st.integers(0, 3))
    def claim(self, mentor: int, pick: int, wild: int, by_admin: int):
        """A mentor presses Claim, or (by_admin == 0) an admin assigns the request to them."""
        request_id = self.choose(self.requests, _is(RequestStatus.OPEN), pick, wild)
        self.do_claim(request_id, self.mentors[mentor], by_admin=by_admin == 0)

    @precondition(lambda self: self.requests)
    @rule(pick=PICK, wild=WILD, mentor=st.integers(0, 2))
    def release(self, pick: int, wild: int, mentor: int):
        request_id = self.choose(self.requests, _is(RequestStatus.CLAIMED), pick, wild)
        request = self.requests[request_id]
        actor = request.claimed_by if wild and request.claimed_by else self.mentors[mentor]
        allowed = request.status == RequestStatus.CLAIMED and request.claimed_by == actor
        allowed = allowed and not request.deleted
        if self.attempt(MOVES if allowed else REFUSED, release_request, actor, request_id, "busy"):
            self.move_request(request_id, RequestStatus.OPEN)
            request.claimed_by = None
            request.expires_at = max(request.expires_at, self.now() + timedelta(days=2))
            if request.reserved_until is not None:  # never open to all: the sweep decides
                request.reserved_until = min(request.reserved_until, self.now())

    @rule(
        who=st.integers(0, 3),
        session_type=st.sampled_from(SESSION_TYPES),
        days=st.integers(0, 10),
        to_mentor=st.integers(0, 2),
        open_to_others=st.booleans(),
    )
    def submit_directed(
        self, who: int, session_type: str, days: int, to_mentor: int, open_to_others: bool
    ):
        """A request addressed to one mentor ("Request <name>")."""
        self.submit(who, session_type, 0, days, 60, to_mentor, open_to_others)

    @precondition(lambda self: self.requests)
    @rule(pick=PICK, wild=WILD, mentor=st.integers(0, 2))
    def decline(self, pick: int, wild: int, mentor: int):
        """The chosen mentor turns the request down (or, wild, someone else tries to)."""
        request_id = self.choose(self.requests, lambda r: r.reserved_until is not None, pick, wild)
        request = self.requests[request_id]
        actor = request.preferred if wild and request.preferred else self.mentors[mentor]
        allowed = (
            request.status == RequestStatus.OPEN
            and request.reserved_until is not None
            and actor == request.preferred
            and not request.deleted
        )
        if self.attempt(MOVES if allowed else REFUSED, decline_request, actor, request_id, "busy"):
            self.end_reservation(request_id)

    def end_reservation(self, request_id: int) -> None:
        """Opened to every mentor (the student agreed) or closed: one event either way.
        A closed one stays as it was: never shown to every mentor."""
        request = self.requests[request_id]
        target = RequestStatus.OPEN if request.open_to_others else RequestStatus.EXPIRED
        if request.open_to_others:
            request.reserved_until = None
        self.move_request(request_id, target)

    @precondition(lambda self: self.requests)
    @rule()
    def sweep_directed_and_stale(self):
        """Requests whose days have passed expire; those whose chosen mentor's time is up
        open or close. Each exactly once, and never a stale one opened."""
        now = self.now()
        stale = {
            i
            for i, r in self.requests.items()
            if r.status == RequestStatus.OPEN and r.dates_ended(now) and not r.deleted
        }
        assert set(expire_past_dates(self.ctx)) == stale
        for request_id in stale:
            self.move_request(request_id, RequestStatus.EXPIRED)
        due = {
            i
            for i, r in self.requests.items()
            if r.status == RequestStatus.OPEN
            and r.reserved_until is not None
            and r.reserved_until <= now
            and not r.deleted
        }
        assert set(open_or_close_reserved(self.ctx)) == due
        for request_id in due:
            self.end_reservation(request_id)

    @precondition(lambda self: self.requests)
    @rule(pick=PICK, wild=WILD, who=st.integers(0, 3))
    def cancel_request(self, pick: int, wild: int, who: int):
        """The student withdraws (or, wild, someone else tries to)."""
        request_id = self.choose(
            self.requests, lambda r: r.status in UNFINISHED_REQUEST_STATES, pick, wild
        )
        request = self.requests[request_id]
        actor = request.student if wild else self.students[who]
        if actor != request.student:
            expected = REFUSED
        elif request.status in UNFINISHED_REQUEST_STATES:
            expected = MOVES
        elif request.status == RequestStatus.CANCELLED:
            expected = NOOP  # a second press
        else:
            expected = REFUSED
        if request.deleted:
            expected = REFUSED  # gone from every list: nothing to cancel
        withdrawn = self.attempt(
            expected, request_services.cancel_request, actor, request_id, "plans changed"
        )
        if withdrawn and expected == MOVES:
            self.cancel_with_session(request_id)

    # ------------------------------------------------------------ rules: sessions

    @precondition(lambda self: self.requests)
    @rule(pick=PICK, wild=WILD, mentor=st.integers(0, 2), slot=st.integers(0, 2))
    def schedule(self, pick: int, wild: int, mentor: int, slot: int):
        request_id = self.choose(self.requests, _is(RequestStatus.CLAIMED), pick, wild)
        request = self.requests[request_id]
        actor = request.claimed_by if wild and request.claimed_by else self.mentors[mentor]
        self.do_schedule(request_id, actor, slot)

    @precondition(lambda self: self.sessions)
    @rule(pick=PICK, wild=WILD, by_mentor=st.booleans(), slot=st.integers(0, 20))
    def reschedule(self, pick: int, wild: int, by_mentor: bool, slot: int):
        session_id = self.choose(self.sessions, _is(SessionStatus.SCHEDULED), pick, wild)
        session = self.sessions[session_id]
        actor = session.mentor if by_mentor else session.student
        try:
            slots = available_slots(self.ctx, actor, session.request)
        except DomainError:
            # slots are refused for a session that already ended, never for a live one
            assert session.status != SessionStatus.SCHEDULED or session.deleted
            return
        if not slots:
            return
        start = slots[slot % len(slots)]
        if start == session.start and session.status == SessionStatus.SCHEDULED:
            # the booked time again: said so, and nothing moves (the invariants check that
            # no event, message or .ics came of it)
            with pytest.raises(AlreadyDone, match=r"That is already the time\."):
                reschedule_session(self.ctx, actor, session_id, start)
            return
        expected = MOVES if session.status == SessionStatus.SCHEDULED else REFUSED
        moved = self.attempt(expected, reschedule_session, actor, session_id, start)
        if moved is not None:
            assert moved.scheduled_at == start
            self.move_session(session_id, SessionStatus.SCHEDULED)
            session.start, session.end = moved.scheduled_at, moved.ends_at

    @precondition(lambda self: self.sessions)
    @rule(pick=PICK, wild=WILD, by_mentor=st.booleans())
    def cancel_session(self, pick: int, wild: int, by_mentor: bool):
        session_id = self.choose(self.sessions, _is(SessionStatus.SCHEDULED), pick, wild)
        session = self.sessions[session_id]
        request_status = self.requests[session.request].status
        actor = session.mentor if by_mentor else session.student
        if request_status == RequestStatus.CANCELLED:
            expected = NOOP  # a second press: already done
        elif by_mentor:
            expected = MOVES if request_status == RequestStatus.SCHEDULED else REFUSED
        else:
            expected = MOVES if request_status in UNFINISHED_REQUEST_STATES else REFUSED
        if session.deleted:
            expected = REFUSED
        called_off = self.attempt(
            expected, session_services.cancel_session, actor, session_id, "something came up"
        )
        if called_off and expected == MOVES:
            self.cancel_with_session(session.request)

    @precondition(lambda self: self.sessions)
    @rule(
        pick=PICK,
        wild=WILD,
        outcome=st.sampled_from(Outcome),
        by_mentor=st.booleans(),
        jump=st.booleans(),
        with_notes=st.booleans(),
    )
    def record_outcome(
        self, pick: int, wild: int, outcome: Outcome, by_mentor: bool, jump: bool, with_notes: bool
    ):
        """Did it happen? With ``jump``, first move the clock past the session's end."""
        session_id = self.choose(self.sessions, _is(SessionStatus.SCHEDULED), pick, wild)
        self.do_outcome(session_id, outcome, by_mentor=by_mentor, jump=jump, notes=with_notes)

    @precondition(lambda self: self.sessions)
    @rule(pick=PICK, wild=WILD, rating=st.integers(0, 6), by_mentor=st.booleans())
    def rate(self, pick: int, wild: int, rating: int, by_mentor: bool):
        session_id = self.choose(
            self.sessions,
            lambda s: s.status == SessionStatus.COMPLETED and s.rating is None,
            pick,
            wild,
        )
        session = self.sessions[session_id]
        self.do_rate(
            session_id, session.mentor if by_mentor and not wild else session.student, rating
        )

    @precondition(lambda self: self.sessions)
    @rule(pick=PICK, wild=WILD)
    def leave_feedback(self, pick: int, wild: int):
        session_id = self.choose(
            self.sessions, lambda s: s.rating is not None and not s.feedback, pick, wild
        )
        self.do_feedback(session_id)

    @precondition(lambda self: self.sessions)
    @rule(pick=PICK, wild=WILD)
    def write_notes(self, pick: int, wild: int):
        session_id = self.choose(
            self.sessions, lambda s: s.status != SessionStatus.SCHEDULED, pick, wild
        )
        session = self.sessions[session_id]
        notes = self.new_notes()
        done = session.status in (SessionStatus.COMPLETED, SessionStatus.NO_SHOW)
        if self.attempt(
            MOVES if done and not session.deleted else REFUSED,
            update_mentor_notes,
            session.mentor,
            session_id,
            mentor_notes=notes,
        ):
            # added to the earlier notes, never replacing them
            session.notes = notes if session.notes is None else f"{session.notes}\n\n{notes}"

    @precondition(lambda self: any(_can_advance(self, r) for r in self.requests.values()))
    @rule()
    def advance(self):
        """Someone takes the newest unfinished request one step along the happy path.

        The other rules reach every state, but a request needs five of them in a row to be
        rated; this one makes that common. (Having no arguments, it is also the rule
        Hypothesis tries first.) Newest first, so older sessions are still booked while
        newer requests look for a time.
        """
        request_id = max(i for i, r in self.requests.items() if _can_advance(self, r))
        request = self.requests[request_id]
        session_id = request.session
        session = self.sessions[session_id] if session_id is not None else None
        if request.status == RequestStatus.OPEN:
            # The first mentor who may: bookings pile up on one person, as clashes need.
            mentor = next(m for m in self.mentors if m != request.student)
            self.do_claim(request_id, mentor, by_admin=False)
        elif request.status == RequestStatus.CLAIMED:
            assert request.claimed_by is not None
            self.do_schedule(request_id, request.claimed_by, slot=0)
        elif session_id is None or session is None:
            pass
        elif session.status == SessionStatus.SCHEDULED:
            self.do_outcome(session_id, Outcome.COMPLETED, by_mentor=True, jump=False, notes=True)
        elif session.rating is None:
            self.do_rate(session_id, session.student, 1 + request_id % 5)
        else:
            self.do_feedback(session_id)

    # ------------------------------------------------------------ rules: records

    @precondition(lambda self: self.sessions)
    @rule(pick=PICK, wild=WILD, by_absent=st.booleans())
    def dispute(self, pick: int, wild: int, by_absent: bool):
        """ "It did happen": the side reported absent (or, otherwise, the reporter)."""
        session_id = self.choose(
            self.sessions,
            lambda s: s.status == SessionStatus.NO_SHOW and s.disputed_by is None,
            pick,
            wild,
        )
        session = self.sessions[session_id]
        absent = session.absent
        reporter = session.student if absent == session.mentor else session.mentor
        actor = absent if by_absent and absent is not None else reporter
        if session.deleted:
            expected = REFUSED
        elif session.disputed_by is not None and actor == session.disputed_by:
            expected = NOOP  # a second press
        elif (
            session.status == SessionStatus.NO_SHOW
            and actor == absent
            and session.disputed_by is None
            and session.no_show_at is not None
            and self.now() <= session.no_show_at + timedelta(hours=48)
        ):
            expected = MOVES
        else:
            expected = REFUSED
        if self.attempt(expected, dispute_no_show, actor, session_id) and expected == MOVES:
            session.events += 1
            session.disputed_by = actor

    @precondition(lambda self: self.sessions)
    @rule(pick=PICK, wild=WILD, completed=st.booleans(), by_admin=st.integers(0, 3))
    def settle(self, pick: int, wild: int, completed: bool, by_admin: int):
        """An admin settles a disputed no-show (by_admin == 0: the mentor tries to)."""
        session_id = self.choose(
            self.sessions, lambda s: s.disputed_by is not None and s.settled_as is None, pick, wild
        )
        session = self.sessions[session_id]
        actor = session.mentor if by_admin == 0 else self.admin
        verdict = "completed" if completed else "no_show"
        if session.deleted or actor != self.admin:
            expected = REFUSED
        elif session.settled_as == verdict:
            expected = NOOP
        elif session.settled_as is None and session.disputed_by is not None:
            expected = MOVES
        else:
            expected = REFUSED
        done = self.attempt(expected, settle_dispute, actor, session_id, completed=completed)
        if done is None or expected != MOVES:
            return
        session.settled_as = verdict
        if not completed:
            session.events += 1
            return
        self.move_session(session_id, SessionStatus.COMPLETED)
        session.no_show_by = None
        self.move_request(session.request, RequestStatus.COMPLETED)
        self.requests[session.request].refunded = False  # it happened: it counts

    @precondition(lambda self: self.requests)
    @rule(pick=PICK, wild=WILD, who=st.integers(0, 4))
    def withdraw(self, pick: int, wild: int, who: int):
        """A student withdraws a finished request (who == 4: an admin hides any)."""
        request_id = self.choose(
            self.requests,
            lambda r: not r.deleted and r.status not in UNFINISHED_REQUEST_STATES,
            pick,
            wild,
        )
        request = self.requests[request_id]
        actor = request.student if wild else self.students[who % 4]
        actor = self.admin if who == 4 else actor
        self.do_hide(request_id, actor, withdraw_request, request_id)

    @precondition(lambda self: self.sessions)
    @rule(pick=PICK, wild=WILD, who=st.integers(0, 2))
    def hide(self, pick: int, wild: int, who: int):
        """A student hides a finished session (who == 1: its mentor tries; 2: an admin)."""
        session_id = self.choose(
            self.sessions,
            lambda s: not s.deleted and s.status != SessionStatus.SCHEDULED,
            pick,
            wild,
        )
        session = self.sessions[session_id]
        actor = (session.student, session.mentor, self.admin)[who]
        self.do_hide(session.request, actor, hide_session, session_id)

    def do_hide(self, request_id: int, actor: int, service: Callable[..., Any], ref: int) -> None:
        request = self.requests[request_id]
        session = self.sessions[request.session] if request.session is not None else None
        disputed = session is not None and session.disputed_by is not None
        if actor not in (request.student, self.admin):
            expected = REFUSED  # not theirs: as if it did not exist
        elif request.deleted:
            expected = NOOP
        elif actor == self.admin:
            expected = MOVES  # admins hide anything
        elif request.status in UNFINISHED_REQUEST_STATES:
            expected = REFUSED  # cancel it first
        elif disputed and session is not None and session.settled_as is None:
            expected = REFUSED  # an admin is settling it
        else:
            expected = MOVES
        if self.attempt(expected, service, actor, ref) and expected == MOVES:
            request.deleted = True
            if session is not None:
                session.deleted = True

    # ------------------------------------------------------------ rules: time

    @precondition(lambda self: self.requests)
    @rule(hours=HOURS)
    def move_clock(self, hours: int):
        self.clock.advance(timedelta(hours=hours))

    @precondition(lambda self: self.requests)
    @rule()
    def expire(self):
        due = {
            request_id
            for request_id, r in self.requests.items()
            if r.status == RequestStatus.OPEN and r.expires_at <= self.now() and not r.deleted
        }
        hidden = {i for i, r in self.requests.items() if r.deleted}
        assert not set(reannounce_unclaimed(self.ctx)) & hidden
        expired = expire_stale_requests(self.ctx)
        assert set(expired) == due
        assert len(expired) == len(due)
        for request_id in expired:
            self.move_request(request_id, RequestStatus.EXPIRED)

    # ------------------------------------------------------------ actions

    def do_claim(self, request_id: int, mentor_id: int, *, by_admin: bool) -> None:
        request = self.requests[request_id]
        reserved = request.reserved_until is not None and mentor_id != request.preferred
        if reserved and not by_admin:  # another mentor's, unless its time is up and agreed
            assert request.reserved_until is not None
            reserved = not (request.open_to_others and request.reserved_until <= self.now())
        if request.status == RequestStatus.OPEN and (
            request.dates_ended(self.now()) or (reserved and not by_admin)
        ):
            expected = REFUSED  # its days have passed, or it is another mentor's
        elif request.status == RequestStatus.OPEN and request.student != mentor_id:
            expected = MOVES
        elif request.status in CLAIMED_OR_LATER and request.claimed_by == mentor_id:
            expected = NOOP  # a second press of my own claim
        else:
            expected = REFUSED
        if request.deleted:
            expected = REFUSED  # withdrawn or hidden: never claimable again
        try:
            if by_admin:
                claimed = assign_mentor(self.ctx, self.admin, request_id, mentor_id)
            else:
                claimed = claim_request(self.ctx, mentor_id, request_id)
        except AlreadyClaimed as error:
            assert request.status in CLAIMED_OR_LATER, error
            assert request.claimed_by not in (None, mentor_id), error
            assert error.claimer_name == f"Mentor {self.mentors.index(request.claimed_by)}"
            return
        except DomainError as error:
            assert expected == REFUSED, error
            return
        assert expected != REFUSED, f"expected a refusal; got {claimed!r}"
        assert claimed.claimed_by == mentor_id
        if expected == MOVES:
            self.move_request(request_id, RequestStatus.CLAIMED)
            request.claimed_by = mentor_id

    def do_schedule(self, request_id: int, actor: int, slot: int) -> None:
        request = self.requests[request_id]
        claimer = request.status == RequestStatus.CLAIMED and actor == request.claimed_by
        claimer = claimer and not request.deleted
        try:
            slots = available_slots(self.ctx, actor, request_id)
        except DomainError:
            assert not claimer, "the claiming mentor cannot see the request's slots"
            return
        if not slots:
            return  # the student's days are past, or the mentor is booked up
        start = slots[min(slot, len(slots) - 1)]
        session = self.attempt(
            MOVES if claimer else REFUSED, schedule_session, actor, request_id, start
        )
        if session is None:
            return
        assert (session.scheduled_at, session.mentor_id) == (start, actor)
        self.move_request(request_id, RequestStatus.SCHEDULED)
        request.session = session.id
        self.sessions[session.id] = SessionModel(
            request_id, actor, request.student, SessionStatus.SCHEDULED, start, session.ends_at
        )

    def do_outcome(
        self, session_id: int, outcome: Outcome, *, by_mentor: bool, jump: bool, notes: bool
    ) -> None:
        session = self.sessions[session_id]
        if jump and self.now() < session.end:
            self.clock.set(session.end)  # the session has taken place
        if outcome == Outcome.MENTOR_NO_SHOW:
            by_mentor = False  # only the student can say the mentor did not come
        elif outcome == Outcome.STUDENT_NO_SHOW:
            by_mentor = True
        actor = session.mentor if by_mentor else session.student
        target = SessionStatus.COMPLETED if outcome == Outcome.COMPLETED else SessionStatus.NO_SHOW
        no_show_by = {
            Outcome.MENTOR_NO_SHOW: NoShowParty.MENTOR,
            Outcome.STUDENT_NO_SHOW: NoShowParty.STUDENT,
        }.get(outcome)
        private = self.new_notes() if by_mentor and notes else None
        if session.status == SessionStatus.SCHEDULED and self.now() >= session.start:
            expected = MOVES
        elif session.status == target and session.no_show_by == no_show_by:
            expected = NOOP  # the same answer again
        else:
            expected = REFUSED
        if session.deleted:
            expected = REFUSED
        recorded = self.attempt(
            expected, record_outcome, actor, session_id, outcome, mentor_notes=private
        )
        if recorded is None or expected == NOOP:
            return
        self.move_session(session_id, target)
        session.no_show_by = no_show_by
        session.no_show_at = self.now() if no_show_by is not None else None
        session.notes = private  # kept whatever the outcome: a no-show is worth a note too
        self.move_request(
            session.request,
            RequestStatus.COMPLETED if target == SessionStatus.COMPLETED else RequestStatus.NO_SHOW,
        )
        # A mentor who did not come does not cost the student a session.
        self.requests[session.request].refunded = outcome == Outcome.MENTOR_NO_SHOW

    def do_rate(self, session_id: int, actor: int, rating: int) -> None:
        session = self.sessions[session_id]
        allowed = (
            actor == session.student
            and session.status == SessionStatus.COMPLETED
            and session.rating is None
            and 1 <= rating <= 5
            and not session.deleted
        )
        if self.attempt(MOVES if allowed else REFUSED, rate_session, actor, session_id, rating):
            session.rating = rating

    def do_feedback(self, session_id: int) -> None:
        session = self.sessions[session_id]
        allowed = session.rating is not None and not session.feedback and not session.deleted
        if self.attempt(
            MOVES if allowed else REFUSED,
            leave_feedback,
            session.student,
            session_id,
            "Very helpful, thanks",
        ):
            session.feedback = True

    # ------------------------------------------------------------ invariants

    @invariant()
    def the_database_agrees_with_every_rule(self) -> None:
        with self.ctx.uow_factory() as uow:
            requests = {r.id: r for r in uow.requests.all()}
            sessions = {s.id: s for s in uow.sessions.all()}
            request_events = {i: uow.events.for_entity(EntityKind.REQUEST, i) for i in requests}
            session_events = {i: uow.events.for_entity(EntityKind.SESSION, i) for i in sessions}
        self.check_statuses(requests, sessions)
        for request_id, request in requests.items():
            events = request_events[request_id]
            check_chain(events, request.status, REQUEST_EVENT_MOVES, RequestStatus)
            assert len(events) == self.requests[request_id].events, (request_id, events)
        for session_id, session in sessions.items():
            events = session_events[session_id]
            check_chain(events, session.status, SESSION_TRANSITIONS, SessionStatus)
            assert len(events) == self.sessions[session_id].events, (session_id, events)
        check_ratings(sessions.values())
        self.check_limits(requests.values())
        check_no_overlaps(sessions.values())
        self.check_private_notes()
        self.check_hidden_stay_hidden(requests, sessions)
        self.check_reserved_requests_reach_their_mentor_only(requests)

    def check_reserved_requests_reach_their_mentor_only(
        self, requests: dict[int, MentorshipRequest]
    ) -> None:
        """No card in the feed, and no DM to another mentor, while a request is reserved."""
        to_all = {Kind.REQUEST_POSTED, Kind.REQUEST_REANNOUNCED, Kind.REQUEST_MATCHED}
        with self.ctx.uow_factory() as uow:
            pending = uow.notifications.pending()
        for n in pending:
            request = requests.get(n.request_id) if n.request_id else None
            if request is not None and request.reserved:
                assert n.kind not in to_all, (n, request)

    def check_hidden_stay_hidden(
        self, requests: dict[int, MentorshipRequest], sessions: dict[int, MentorshipSession]
    ) -> None:
        """A withdrawn or hidden request or session is in no list, queue or announcement
        again (nor offered, reminded or prompted), and is never deleted for real."""
        hidden = {i for i, r in self.requests.items() if r.deleted}
        hidden_sessions = {i for i, s in self.sessions.items() if s.deleted}
        assert {i for i, r in requests.items() if r.is_deleted} == hidden
        assert {i for i, s in sessions.items() if s.is_deleted} == hidden_sessions
        assert all(requests[i].deleted_at is not None for i in hidden)
        with self.ctx.uow_factory() as uow:
            listed = {r.id for r in uow.requests.open_requests()}
            for mentor in self.mentors:
                listed |= {r.id for r in uow.requests.claimed_by(mentor)}
            pending = uow.notifications.pending()
        for member in {*self.students, *self.mentors}:
            listed |= {r.id for r in request_services.my_requests(self.ctx, member)}
            assert not {s.id for s in my_sessions(self.ctx, member)} & hidden_sessions
        for mentor in self.mentors:
            listed |= {r.id for r in open_requests_for_mentor(self.ctx, mentor)}
        assert not listed & hidden
        for n in pending:
            if n.request_id in hidden or n.session_id in hidden_sessions:
                assert n.kind not in HIDDEN_DROPS, n

    def check_statuses(
        self, requests: dict[int, MentorshipRequest], sessions: dict[int, MentorshipSession]
    ) -> None:
        assert set(requests) == set(self.requests)
        assert set(sessions) == set(self.sessions)
        for request_id, model in self.requests.items():
            stored = requests[request_id]
            assert (stored.status, stored.claimed_by) == (model.status, model.claimed_by), (
                request_id
            )
            assert stored.counts_towards_limit == model.counted
            assert stored.reserved == (model.reserved_until is not None), request_id
            if stored.status == RequestStatus.OPEN:
                assert stored.expires_at == model.expires_at
        for session_id, model in self.sessions.items():
            stored = sessions[session_id]
            assert stored.status == model.status, session_id
            assert (stored.scheduled_at, stored.ends_at) == (model.start, model.end)
            assert stored.session_rating == model.rating
            assert stored.no_show_by == model.no_show_by
            assert stored.mentor_notes == model.notes

    def check_limits(self, requests: Any) -> None:
        counted: dict[int, list[MentorshipRequest]] = {}
        for request in requests:
            if request.counts_towards_limit:
                counted.setdefault(request.student_id, []).append(request)
        for mine in counted.values():
            for group in CATALOGUE.groups:
                used = sum(1 for r in mine if CATALOGUE.group_of(r.session_type) == group)
                assert group.limit is None or used <= group.limit, (group.label, mine)
            active = [r for r in mine if r.status in UNFINISHED_REQUEST_STATES]
            assert len(active) <= ACTIVE_CAP, mine

    def check_private_notes(self) -> None:
        for member_id in self.everyone:
            for session in my_sessions(self.ctx, member_id):
                if session.mentor_id != member_id:
                    assert session.mentor_notes is None, session
                else:
                    assert session.mentor_notes == self.sessions[session.id].notes


def check_chain(
    events: list[TransitionEvent],
    current: str,
    allowed: frozenset[tuple[Any, Any]],
    status: type[RequestStatus] | type[SessionStatus],
) -> None:
    """One chain from creation to ``current``, every link an allowed transition."""
    assert events, "an entity without its creation event"
    assert events[0].from_status is None
    for previous, event in itertools.pairwise(events):
        assert event.from_status == previous.to_status, events
        assert (status(event.from_status), status(event.to_status)) in allowed, event
    assert events[-1].to_status == current, events


def check_ratings(sessions: Any) -> None:
    for session in sessions:
        if session.session_rating is not None:
            assert session.status == SessionStatus.COMPLETED, session
            assert 1 <= session.session_rating <= 5, session
        if session.session_feedback is not None:
            assert session.session_rating is not None, session


def check_no_overlaps(sessions: Any) -> None:
    # a scheduled session an admin hid is in nobody's calendar any more
    scheduled = [s for s in sessions if s.status == SessionStatus.SCHEDULED and not s.is_deleted]
    for i, a in enumerate(scheduled):
        for b in scheduled[i + 1 :]:
            shared = {a.mentor_id, a.student_id} & {b.mentor_id, b.student_id}
            assert not (shared and a.overlaps(b.scheduled_at, b.ends_at)), (a, b)


def test_random_request_and_session_lifecycles_keep_every_invariant(database_url, reset_database):
    base = make_context(database_url, MovableClock(START), max_active_requests=ACTIVE_CAP)

    class Machine(LifecycleMachine):
        base_context = base

    Machine.reset_database = staticmethod(reset_database)
    run_state_machine_as_test(
        Machine,
        settings=settings(
            max_examples=40,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
