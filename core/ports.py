"""The storage the services need, as abstract classes.

``db/`` implements them with SQLAlchemy; tests subclass them with in-memory fakes. The
methods that change a status are *conditional* (``transition``): they name the states
they expect to move from and report whether anything moved, which is what makes a race
between two mentors have exactly one winner.
"""

from __future__ import annotations

import abc
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType
from typing import Any, Self

from core.events import EntityKind, TransitionEvent
from core.lifecycle import RequestStatus, SessionStatus
from core.members import Identity, Member
from core.mentors import AvailabilityWindow, MentorProfile, MentorStatus
from core.notifications import Audience, Kind, Notification, NotificationStatus
from core.requests import MentorshipRequest, ValidRequest
from core.session_notes import SessionNote
from core.sessions import MentorshipSession


class MemberRepository(abc.ABC):
    @abc.abstractmethod
    def get(self, member_id: int) -> Member | None: ...

    @abc.abstractmethod
    def get_many(self, member_ids: Collection[int]) -> dict[int, Member]: ...

    @abc.abstractmethod
    def find_by_identity(self, identity: Identity) -> Member | None: ...

    @abc.abstractmethod
    def find_by_name(self, display_name: str) -> list[Member]: ...

    @abc.abstractmethod
    def add(
        self, display_name: str, timezone: str, identity: Identity, now: datetime
    ) -> Member: ...

    @abc.abstractmethod
    def add_identity(self, member_id: int, identity: Identity) -> None: ...

    @abc.abstractmethod
    def update(self, member: Member, now: datetime) -> None:
        """Write display name, time zone and admin flag."""

    @abc.abstractmethod
    def lock(self, member_id: int) -> None:
        """Hold this member until commit, so per-member checks (limits, bookings) serialize."""

    def get_locked(self, member_id: int) -> Member | None:
        """``lock``, then ``get``: a store may read the member with the lock, in one
        round trip (every submission does both)."""
        self.lock(member_id)
        return self.get(member_id)

    def lock_all(self, member_ids: Collection[int]) -> None:
        """``lock`` each, in id order (the one global order, ``core.transactions``): a
        booking holds both its people. A store may take them all in one round trip."""
        for member_id in sorted(set(member_ids)):
            self.lock(member_id)

    @abc.abstractmethod
    def admins(self) -> list[Member]: ...

    @abc.abstractmethod
    def mark_unreachable(self, identity: Identity, now: datetime) -> None:
        """The platform refused this account (blocked the bot): stop sending there."""

    @abc.abstractmethod
    def mark_reachable(self, identity: Identity) -> None:
        """The person wrote to us again from this account: sending works again."""


class MentorRepository(abc.ABC):
    @abc.abstractmethod
    def get(self, member_id: int) -> MentorProfile | None: ...

    @abc.abstractmethod
    def add(self, profile: MentorProfile, now: datetime) -> None: ...

    @abc.abstractmethod
    def update(self, profile: MentorProfile, now: datetime) -> None: ...

    @abc.abstractmethod
    def list_profiles(self, status: MentorStatus | None = None) -> list[MentorProfile]: ...

    @abc.abstractmethod
    def windows(self, member_id: int) -> list[AvailabilityWindow]: ...

    @abc.abstractmethod
    def add_window(self, member_id: int, window: AvailabilityWindow) -> AvailabilityWindow: ...

    @abc.abstractmethod
    def remove_window(self, member_id: int, window_id: int) -> bool: ...


@dataclass(frozen=True)
class ClaimSight:
    """What a claim's checks need, read by the claim's own statement: a race's 99 losers
    (and its winner) are answered from one round trip each, not four (issue 14)."""

    request: MentorshipRequest | None  # None: no such request
    mentor_status: MentorStatus | None  # the claiming member's profile; None: not a mentor
    student_zone: str  # the student's time zone, "UTC" if unknown
    claimer_name: str | None  # who holds the request now, if anyone


class RequestRepository(abc.ABC):
    @abc.abstractmethod
    def add(
        self,
        student_id: int,
        request: ValidRequest,
        now: datetime,
        expires_at: datetime,
        submission_key: str | None = None,
    ) -> MentorshipRequest: ...

    @abc.abstractmethod
    def find_by_submission_key(self, student_id: int, key: str) -> MentorshipRequest | None: ...

    def lock(self, request_id: int) -> None:
        """Hold this request until commit, before touching its session: requests are
        locked before sessions everywhere (a cancel changes the request, then its
        session). A no-op where the storage serializes whole transactions."""
        return None

    @abc.abstractmethod
    def get(self, request_id: int) -> MentorshipRequest | None: ...

    def get_many(self, request_ids: Collection[int]) -> dict[int, MentorshipRequest]:
        """Several by id (missing ones left out): the delivery engine plans a whole batch."""
        found = {i: self.get(i) for i in set(request_ids)}
        return {i: request for i, request in found.items() if request is not None}

    @abc.abstractmethod
    def for_student(self, student_id: int) -> list[MentorshipRequest]: ...

    @abc.abstractmethod
    def counted_for_student(self, student_id: int) -> list[MentorshipRequest]:
        """The student's requests that count towards limits (see ``counts_towards_limit``)."""

    def submission_sight(
        self, student_id: int, key: str | None
    ) -> tuple[MentorshipRequest | None, list[MentorshipRequest]]:
        """What a submission checks: the student's earlier request with this submission
        key (a second press of Submit), and the requests counted towards limits (when
        there is no earlier one). A store may read both in one statement."""
        earlier = self.find_by_submission_key(student_id, key) if key else None
        return earlier, [] if earlier is not None else self.counted_for_student(student_id)

    @abc.abstractmethod
    def open_requests(self) -> list[MentorshipRequest]: ...

    @abc.abstractmethod
    def claimed_by(self, mentor_id: int) -> list[MentorshipRequest]: ...

    @abc.abstractmethod
    def transition(
        self,
        request_id: int,
        expected: Collection[RequestStatus],
        target: RequestStatus,
        now: datetime,
        *,
        if_claimed_by: int | None = None,
        **changes: Any,
    ) -> bool:
        """Move to ``target`` only if the status is still one of ``expected`` (and, with
        ``if_claimed_by``, the claimer is still that mentor); True if moved."""

    @abc.abstractmethod
    def claim_open(self, request_id: int, mentor_id: int, now: datetime) -> ClaimSight | None:
        """Claim the request for ``mentor_id`` only if it is still OPEN: the one
        conditional write that decides a race. The request as claimed, with what the
        checks need, or None."""

    @abc.abstractmethod
    def claim_sight(self, request_id: int, mentor_id: int) -> ClaimSight:
        """The request as it is now, with what a refused claim's explanation needs, in
        one read."""

    @abc.abstractmethod
    def save(self, request: MentorshipRequest, now: datetime) -> None:
        """Write every mutable field unconditionally (edits; never for status races)."""

    @abc.abstractmethod
    def expired_ids(self, now: datetime, limit: int) -> list[int]: ...

    @abc.abstractmethod
    def unannounced_since(
        self, urgency: str, announced_before: datetime, limit: int
    ) -> list[MentorshipRequest]:
        """Open requests of this urgency last announced (or created) before the time."""

    @abc.abstractmethod
    def mark_announced(self, request_id: int, previous: datetime | None, now: datetime) -> bool:
        """Set last_announced_at only if it still equals ``previous``; True if set."""

    @abc.abstractmethod
    def claimed_before(self, before: datetime, limit: int) -> list[MentorshipRequest]: ...

    def reserved_ended(self, now: datetime, limit: int) -> list[MentorshipRequest]:
        """Open requests whose chosen mentor's exclusive time is up (the sweep opens or
        closes them). The default filters ``open_requests``; storage does it in a query."""
        due = [r for r in self.open_requests() if r.exclusive_until and r.exclusive_until <= now]
        return due[:limit]

    def last_day_before(self, day: date, limit: int) -> list[MentorshipRequest]:
        """Open requests whose last available day is before ``day`` (candidates for the
        stale sweep, which checks each in its student's zone)."""
        return [r for r in self.open_requests() if r.available_until < day][:limit]

    @abc.abstractmethod
    def all(self) -> list[MentorshipRequest]: ...


class SessionRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, session: MentorshipSession) -> MentorshipSession:
        """Insert; the given ``id`` is ignored and the stored one returned."""

    @abc.abstractmethod
    def get(self, session_id: int) -> MentorshipSession | None: ...

    def get_many(self, session_ids: Collection[int]) -> dict[int, MentorshipSession]:
        """Several by id (missing ones left out): the delivery engine plans a whole batch."""
        found = {i: self.get(i) for i in set(session_ids)}
        return {i: session for i, session in found.items() if session is not None}

    @abc.abstractmethod
    def for_request(self, request_id: int) -> MentorshipSession | None: ...

    @abc.abstractmethod
    def for_member(self, member_id: int) -> list[MentorshipSession]:
        """Sessions where the member is the student or the mentor."""

    @abc.abstractmethod
    def busy_for_members(
        self, member_ids: Collection[int], start: datetime, end: datetime
    ) -> list[MentorshipSession]:
        """Scheduled sessions of any of the members (as mentor or student) that overlap
        [start, end), in id order, each once: one read for both people of a booking."""

    @abc.abstractmethod
    def transition(
        self,
        session_id: int,
        expected: Collection[SessionStatus],
        target: SessionStatus,
        now: datetime,
        **changes: Any,
    ) -> bool: ...

    @abc.abstractmethod
    def rate(self, session_id: int, rating: int, feedback: str | None, now: datetime) -> bool:
        """Store a rating only for a completed session not yet rated; True if stored."""

    @abc.abstractmethod
    def set_feedback(self, session_id: int, feedback: str, now: datetime) -> bool:
        """Store feedback only if none was stored yet; True if stored."""

    @abc.abstractmethod
    def update_notes(
        self,
        session_id: int,
        now: datetime,
        mentor_notes: str | None,
        session_duration_minutes: int | None,
    ) -> None: ...

    @abc.abstractmethod
    def ratings_by_mentor(self) -> dict[int, tuple[float, int]]:
        """Average rating and number of ratings per mentor."""

    @abc.abstractmethod
    def all(self) -> list[MentorshipSession]: ...


class SessionNoteRepository(abc.ABC):
    """A mentor's notes: rows are only ever added (append-only), never changed."""

    @abc.abstractmethod
    def add(self, note: SessionNote) -> SessionNote: ...

    @abc.abstractmethod
    def for_session(self, session_id: int) -> list[SessionNote]:
        """Oldest first."""


class EventRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, event: TransitionEvent) -> None: ...

    def add_many(self, events: Sequence[TransitionEvent]) -> None:
        """Several transitions of one change (a booking moves its request and starts its
        session); a store may write them in one round trip."""
        for event in events:
            self.add(event)

    @abc.abstractmethod
    def for_entity(self, entity: EntityKind, entity_id: int) -> list[TransitionEvent]: ...

    def count_for(self, entity: EntityKind, entity_id: int) -> int:
        """How many transitions the entity has had (a store can count without loading)."""
        return len(self.for_entity(entity, entity_id))

    def add_counted(self, event: TransitionEvent) -> int:
        """``add``, then ``count_for`` the event's entity: its revision once this
        transition is recorded. A store may do both in one round trip."""
        self.add(event)
        return self.count_for(event.entity, event.entity_id)


class NotificationRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, notification: Notification) -> bool:
        """Insert unless a row with the same dedup key exists; True if inserted."""

    def add_many(self, notifications: Sequence[Notification]) -> int:
        """``add`` for several at once (one round trip where the store can); how many
        were inserted."""
        return sum(self.add(n) for n in notifications)

    @abc.abstractmethod
    def cancel_pending(
        self,
        *,
        request_id: int | None = None,
        session_id: int | None = None,
        kinds: Collection[Kind] | None = None,
    ) -> int: ...

    @abc.abstractmethod
    def pending(self) -> list[Notification]: ...

    def feed_problem(self, prefix: str) -> str | None:
        """The ``last_error`` of a mentors' feed card waiting for a retry because the feed
        refuses the bot (its error starts with ``prefix``), if any (issue 12)."""
        for n in self.pending():
            if n.audience == Audience.MENTORS and (n.last_error or "").startswith(prefix):
                return n.last_error
        return None

    @abc.abstractmethod
    def requeue_skipped(self, member_id: int, reasons: Collection[str], now: datetime) -> int:
        """Put back to PENDING, due ``now`` with fresh attempts, the member's notices that
        were SKIPPED for one of ``reasons`` (they could not be reached); how many."""


class OutboxRepository(abc.ABC):
    """Due notifications taken under a lease, so several processes share the work.

    A lease names its owner and an expiry; a process that dies leaves its rows to be
    taken again once the lease runs out. ``attempts`` counts leases taken, so a row whose
    every attempt died with its process is buried rather than retried forever.
    """

    @abc.abstractmethod
    def lease_due(
        self, now: datetime, limit: int, owner: str, until: datetime, max_attempts: int
    ) -> list[Notification]: ...

    @abc.abstractmethod
    def bury_abandoned(self, now: datetime, max_attempts: int) -> list[Notification]:
        """Mark DEAD the due rows whose lease ran out on their last attempt; return them."""

    @abc.abstractmethod
    def finish(
        self,
        notification_id: int,
        owner: str,
        status: NotificationStatus,
        now: datetime,
        note: str | None = None,
    ) -> bool:
        """SENT, SKIPPED or DEAD, only if we still hold the lease; True if recorded."""

    @abc.abstractmethod
    def retry_at(
        self,
        notification_id: int,
        owner: str,
        due_at: datetime,
        error: str | None,
        *,
        refund_attempt: bool,
        progress: tuple[str, ...] = (),
    ) -> bool:
        """Give the row back for a later try (a 429 refunds the attempt: not a failure)."""

    @abc.abstractmethod
    def renew(self, notification_ids: Collection[int], owner: str, until: datetime) -> int:
        """Move the lease of the rows we still hold (PENDING, ours) to ``until``; how many.

        A worker renews while a slow batch is still sending, so no other worker takes
        (and sends again) rows whose sends are under way."""

    @abc.abstractmethod
    def counts(self) -> dict[str, int]: ...


class UnitOfWork(abc.ABC):
    """One transaction: rolls back on exit unless :meth:`commit` was called."""

    members: MemberRepository
    mentors: MentorRepository
    requests: RequestRepository
    sessions: SessionRepository
    events: EventRepository
    session_notes: SessionNoteRepository
    notifications: NotificationRepository
    outbox: OutboxRepository

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()

    @abc.abstractmethod
    def commit(self) -> None: ...

    @abc.abstractmethod
    def rollback(self) -> None: ...


def record(
    uow: UnitOfWork,
    entity: EntityKind,
    entity_id: int,
    from_status: str | None,
    to_status: str,
    actor_id: int | None,
    at: datetime,
    reason: str | None = None,
) -> None:
    """Write the audit event for one transition (services call this after each move)."""
    uow.events.add(TransitionEvent(entity, entity_id, from_status, to_status, actor_id, at, reason))


__all__ = [
    "EventRepository",
    "MemberRepository",
    "MentorRepository",
    "NotificationRepository",
    "RequestRepository",
    "SessionNoteRepository",
    "SessionRepository",
    "UnitOfWork",
    "record",
]
