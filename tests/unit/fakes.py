"""In-memory fakes of the ports in :mod:`core.ports`, with the SQL versions' semantics.

Each fake subclasses the real port, so a port change that the fakes miss fails at import.
Like the SQL repositories, reads hand out copies: a service that changes an object it
loaded changes nothing stored until it calls a repository method. All fakes of one
:class:`FakeStore` see the same data, and :class:`FakeUnitOfWork` really rolls back.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from core.catalogue import Catalogue
from core.clock import MovableClock
from core.events import EntityKind, TransitionEvent
from core.hours import parse_hours
from core.lifecycle import RequestStatus, SessionStatus
from core.members import Identity, Member, Platform
from core.mentors import AvailabilityWindow, MentorProfile, MentorStatus
from core.notifications import Kind, Notification, NotificationStatus
from core.policy import Policy
from core.ports import (
    ClaimSight,
    EventRepository,
    MemberRepository,
    MentorRepository,
    NotificationRepository,
    OutboxRepository,
    RequestRepository,
    SessionNoteRepository,
    SessionRepository,
    UnitOfWork,
)
from core.requests import MentorshipRequest, RequestDraft, ValidRequest
from core.services.context import ServiceContext
from core.session_notes import SessionNote
from core.sessions import MentorshipSession

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday, before both DST changes


@dataclass
class Tables:
    """Everything a transaction can change; snapshotted and restored as one value."""

    members: dict[int, Member] = field(default_factory=dict)
    identities: dict[Identity, int] = field(default_factory=dict)
    mentors: dict[int, MentorProfile] = field(default_factory=dict)
    windows: dict[int, tuple[int, AvailabilityWindow]] = field(default_factory=dict)
    requests: dict[int, MentorshipRequest] = field(default_factory=dict)
    submission_keys: dict[int, tuple[int, str]] = field(default_factory=dict)
    sessions: dict[int, MentorshipSession] = field(default_factory=dict)
    events: list[TransitionEvent] = field(default_factory=list)
    session_notes: list[SessionNote] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)
    leases: dict[int, tuple[str, datetime]] = field(default_factory=dict)
    sent_at: dict[int, datetime] = field(default_factory=dict)
    last_ids: dict[str, int] = field(default_factory=dict)

    def next_id(self, table: str) -> int:
        self.last_ids[table] = self.last_ids.get(table, 0) + 1
        return self.last_ids[table]


class FakeStore:
    """The one 'database' that every unit of work of a test shares."""

    def __init__(self) -> None:
        self.tables = Tables()
        self.commits = 0
        self.locks: list[int] = []


class _Repository:
    def __init__(self, store: FakeStore) -> None:
        self._store = store

    @property
    def _t(self) -> Tables:
        return self._store.tables  # looked up each time: a rollback replaces the tables


def _apply(target: object, changes: dict[str, Any]) -> None:
    for name, value in changes.items():
        if not hasattr(target, name):
            raise AttributeError(f"no column {name!r}")  # the SQL UPDATE would fail too
        setattr(target, name, value)


class FakeMemberRepository(_Repository, MemberRepository):
    def _view(self, member: Member) -> Member:
        profile = self._t.mentors.get(member.id)
        approved = profile is not None and profile.status == MentorStatus.APPROVED
        return replace(copy.deepcopy(member), is_approved_mentor=approved)

    def get(self, member_id: int) -> Member | None:
        member = self._t.members.get(member_id)
        return None if member is None else self._view(member)

    def get_many(self, member_ids: Collection[int]) -> dict[int, Member]:
        return {i: self._view(self._t.members[i]) for i in set(member_ids) if i in self._t.members}

    def find_by_identity(self, identity: Identity) -> Member | None:
        member_id = self._t.identities.get(identity)
        return None if member_id is None else self.get(member_id)

    def find_by_name(self, display_name: str) -> list[Member]:
        wanted = display_name.strip().lower()
        return [
            self._view(m)
            for _, m in sorted(self._t.members.items())
            if m.display_name.lower() == wanted
        ]

    def add(self, display_name: str, timezone: str, identity: Identity, now: datetime) -> Member:
        existing = self.find_by_identity(identity)
        if existing is not None:  # the SQL version returns the race's winner
            return existing
        member_id = self._t.next_id("members")
        self._t.members[member_id] = Member(
            member_id, display_name, timezone, identities=[identity], created_at=now
        )
        self._t.identities[identity] = member_id
        member = self.get(member_id)
        assert member is not None
        return member

    def add_identity(self, member_id: int, identity: Identity) -> None:
        if identity in self._t.identities:
            raise ValueError("identity already belongs to a member")  # unique constraint
        self._t.identities[identity] = member_id
        self._t.members[member_id].identities.append(identity)

    def update(self, member: Member, now: datetime) -> None:
        stored = self._t.members.get(member.id)
        if stored is not None:
            stored.display_name = member.display_name
            stored.timezone = member.timezone
            stored.is_admin = member.is_admin
            stored.admin_source = member.admin_source

    def lock(self, member_id: int) -> None:
        self._store.locks.append(member_id)

    def mark_unreachable(self, identity: Identity, now: datetime) -> None:
        member_id = self._t.identities.get(identity)
        if member_id is None:
            return
        member = self._t.members[member_id]
        member.identities = [
            replace(i, unreachable=True) if i == identity else i for i in member.identities
        ]

    def mark_reachable(self, identity: Identity) -> None:
        member_id = self._t.identities.get(identity)
        if member_id is None:
            return
        member = self._t.members[member_id]
        member.identities = [
            replace(i, unreachable=False) if i == identity else i for i in member.identities
        ]

    def admins(self) -> list[Member]:
        return [self._view(m) for _, m in sorted(self._t.members.items()) if m.is_admin]


class FakeMentorRepository(_Repository, MentorRepository):
    def get(self, member_id: int) -> MentorProfile | None:
        return copy.deepcopy(self._t.mentors.get(member_id))

    def add(self, profile: MentorProfile, now: datetime) -> None:
        if profile.member_id in self._t.mentors:
            raise ValueError("mentor profile exists")  # primary key
        self._t.mentors[profile.member_id] = copy.deepcopy(profile)

    def update(self, profile: MentorProfile, now: datetime) -> None:
        if profile.member_id in self._t.mentors:
            self._t.mentors[profile.member_id] = copy.deepcopy(profile)

    def list_profiles(self, status: MentorStatus | None = None) -> list[MentorProfile]:
        return [
            copy.deepcopy(p)
            for _, p in sorted(self._t.mentors.items())
            if status is None or p.status == status
        ]

    def windows(self, member_id: int) -> list[AvailabilityWindow]:
        mine = [w for owner, w in self._t.windows.values() if owner == member_id]
        return sorted(mine, key=lambda w: (w.weekday, w.start))

    def add_window(self, member_id: int, window: AvailabilityWindow) -> AvailabilityWindow:
        stored = replace(window, id=self._t.next_id("windows"))
        self._t.windows[self._t.last_ids["windows"]] = (member_id, stored)
        return stored

    def remove_window(self, member_id: int, window_id: int) -> bool:
        if self._t.windows.get(window_id, (None,))[0] != member_id:
            return False
        del self._t.windows[window_id]
        return True


class FakeRequestRepository(_Repository, RequestRepository):
    def add(
        self,
        student_id: int,
        request: ValidRequest,
        now: datetime,
        expires_at: datetime,
        submission_key: str | None = None,
    ) -> MentorshipRequest:
        if submission_key is not None and self.find_by_submission_key(student_id, submission_key):
            raise ValueError("duplicate submission key")  # unique (student_id, submission_key)
        request_id = self._t.next_id("requests")
        self._t.requests[request_id] = MentorshipRequest(
            id=request_id,
            student_id=student_id,
            session_type=request.session_type,
            title=request.title,
            description=request.description,
            extra=dict(request.extra),
            duration_minutes=request.duration_minutes,
            urgency=request.urgency,
            available_from=request.available_from,
            available_until=request.available_until,
            tags=list(request.tags),
            preferred_mentor_id=request.preferred_mentor_id,
            open_to_others=request.open_to_others,
            student_hours=request.student_hours,
            status=RequestStatus.OPEN,
            expires_at=expires_at,
            created_at=now,
            updated_at=now,
        )
        if submission_key is not None:
            self._t.submission_keys[request_id] = (student_id, submission_key)
        return copy.deepcopy(self._t.requests[request_id])

    def find_by_submission_key(self, student_id: int, key: str) -> MentorshipRequest | None:
        for request_id, owner_key in self._t.submission_keys.items():
            if owner_key == (student_id, key):
                return self.get(request_id)
        return None

    def get(self, request_id: int) -> MentorshipRequest | None:
        return copy.deepcopy(self._t.requests.get(request_id))

    def _list(self, keep: Any) -> list[MentorshipRequest]:
        return [
            copy.deepcopy(r)
            for _, r in sorted(self._t.requests.items())
            if not r.is_deleted and keep(r)
        ]

    def for_student(self, student_id: int) -> list[MentorshipRequest]:
        return self._list(lambda r: r.student_id == student_id)

    def counted_for_student(self, student_id: int) -> list[MentorshipRequest]:
        found = [
            r
            for _, r in sorted(self._t.requests.items())
            if r.student_id == student_id and r.counts_towards_limit
        ]
        return copy.deepcopy(found)

    def open_requests(self) -> list[MentorshipRequest]:
        return self._list(lambda r: r.status == RequestStatus.OPEN)

    def claimed_by(self, mentor_id: int) -> list[MentorshipRequest]:
        return self._list(lambda r: r.claimed_by == mentor_id)

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
        request = self._t.requests.get(request_id)
        if request is None or request.is_deleted or request.status not in expected:
            return False
        if if_claimed_by is not None and request.claimed_by != if_claimed_by:
            return False
        if isinstance(changes.get("student_hours"), str):  # an edit stores the text form
            changes["student_hours"] = parse_hours(changes["student_hours"])
        _apply(request, {"status": target, "updated_at": now, **changes})
        return True

    def claim_open(self, request_id: int, mentor_id: int, now: datetime) -> ClaimSight | None:
        moved = self.transition(
            request_id,
            [RequestStatus.OPEN],
            RequestStatus.CLAIMED,
            now,
            claimed_by=mentor_id,
            claimed_at=now,
        )
        return self.claim_sight(request_id, mentor_id) if moved else None

    def claim_sight(self, request_id: int, mentor_id: int) -> ClaimSight:
        request = self.get(request_id)
        profile = self._t.mentors.get(mentor_id)
        student = self._t.members.get(request.student_id) if request else None
        claimer = (
            self._t.members.get(request.claimed_by) if request and request.claimed_by else None
        )
        return ClaimSight(
            request,
            profile.status if profile else None,
            student.timezone if student else "UTC",
            claimer.display_name if claimer else None,
        )

    def save(self, request: MentorshipRequest, now: datetime) -> None:
        stored = self._t.requests.get(request.id)
        if stored is not None:
            fixed = {"id", "student_id", "session_type", "created_at"}
            for name in vars(request):
                if name not in fixed:
                    setattr(stored, name, copy.deepcopy(getattr(request, name)))
            stored.updated_at = now

    def expired_ids(self, now: datetime, limit: int) -> list[int]:
        due = [
            r
            for r in self._t.requests.values()
            if r.status == RequestStatus.OPEN and r.expires_at <= now and not r.is_deleted
        ]
        return [r.id for r in sorted(due, key=lambda r: r.expires_at)][:limit]

    def unannounced_since(
        self, urgency: str, announced_before: datetime, limit: int
    ) -> list[MentorshipRequest]:
        found = [
            r
            for _, r in sorted(self._t.requests.items())
            if r.status == RequestStatus.OPEN
            and not r.is_deleted
            and r.urgency.value == urgency
            and (r.last_announced_at or r.created_at) <= announced_before
        ]
        return copy.deepcopy(found[:limit])

    def mark_announced(self, request_id: int, previous: datetime | None, now: datetime) -> bool:
        r = self._t.requests.get(request_id)
        if r is None or r.status != RequestStatus.OPEN or r.last_announced_at != previous:
            return False
        if r.is_deleted:
            return False
        r.last_announced_at = now
        return True

    def claimed_before(self, before: datetime, limit: int) -> list[MentorshipRequest]:
        found = [
            r
            for r in self._t.requests.values()
            if r.status == RequestStatus.CLAIMED
            and r.claimed_at
            and r.claimed_at <= before
            and not r.is_deleted
        ]
        return copy.deepcopy(sorted(found, key=lambda r: r.claimed_at or before)[:limit])

    def all(self) -> list[MentorshipRequest]:
        return [copy.deepcopy(r) for _, r in sorted(self._t.requests.items())]


class FakeSessionRepository(_Repository, SessionRepository):
    def add(self, session: MentorshipSession) -> MentorshipSession:
        if any(s.request_id == session.request_id for s in self._t.sessions.values()):
            raise ValueError("the request already has a session")  # unique request_id
        stored = replace(copy.deepcopy(session), id=self._t.next_id("sessions"))
        self._t.sessions[stored.id] = stored
        return copy.deepcopy(stored)

    def get(self, session_id: int) -> MentorshipSession | None:
        return copy.deepcopy(self._t.sessions.get(session_id))

    def for_request(self, request_id: int) -> MentorshipSession | None:
        found = [s for _, s in sorted(self._t.sessions.items()) if s.request_id == request_id]
        return copy.deepcopy(found[0]) if found else None

    def _list(self, keep: Any) -> list[MentorshipSession]:
        return [
            copy.deepcopy(s)
            for _, s in sorted(self._t.sessions.items())
            if not s.is_deleted and keep(s)
        ]

    def for_member(self, member_id: int) -> list[MentorshipSession]:
        return self._list(lambda s: member_id in (s.mentor_id, s.student_id))

    def busy_for_members(
        self, member_ids: Collection[int], start: datetime, end: datetime
    ) -> list[MentorshipSession]:
        return self._list(
            lambda s: (
                (s.mentor_id in member_ids or s.student_id in member_ids)
                and s.status == SessionStatus.SCHEDULED
                and s.scheduled_at < end
                and s.ends_at > start
            )
        )

    def _live(self, session_id: int) -> MentorshipSession | None:
        session = self._t.sessions.get(session_id)
        return None if session is None or session.is_deleted else session

    def transition(
        self,
        session_id: int,
        expected: Collection[SessionStatus],
        target: SessionStatus,
        now: datetime,
        **changes: Any,
    ) -> bool:
        session = self._live(session_id)
        if session is None or session.status not in expected:
            return False
        _apply(session, {"status": target, "updated_at": now, **changes})
        return True

    def rate(self, session_id: int, rating: int, feedback: str | None, now: datetime) -> bool:
        session = self._live(session_id)
        if (
            session is None
            or session.status != SessionStatus.COMPLETED
            or session.session_rating is not None
        ):
            return False
        _apply(session, {"session_rating": rating, "session_feedback": feedback, "updated_at": now})
        return True

    def set_feedback(self, session_id: int, feedback: str, now: datetime) -> bool:
        session = self._live(session_id)
        if (
            session is None
            or session.session_rating is None
            or session.session_feedback is not None
        ):
            return False
        _apply(session, {"session_feedback": feedback, "updated_at": now})
        return True

    def update_notes(
        self,
        session_id: int,
        now: datetime,
        mentor_notes: str | None,
        session_duration_minutes: int | None,
    ) -> None:
        session = self._live(session_id)
        if session is not None:
            session.mentor_notes = mentor_notes
            session.session_duration_minutes = session_duration_minutes
            session.updated_at = now

    def ratings_by_mentor(self) -> dict[int, tuple[float, int]]:
        ratings: dict[int, list[int]] = {}
        for s in self._t.sessions.values():
            if s.session_rating is not None and not s.is_deleted:
                ratings.setdefault(s.mentor_id, []).append(s.session_rating)
        return {m: (sum(r) / len(r), len(r)) for m, r in ratings.items()}

    def all(self) -> list[MentorshipSession]:
        return [copy.deepcopy(s) for _, s in sorted(self._t.sessions.items())]


class FakeSessionNoteRepository(_Repository, SessionNoteRepository):
    def add(self, note: SessionNote) -> SessionNote:
        stored = replace(note, id=self._t.next_id("session_notes"))
        self._t.session_notes.append(stored)
        return stored

    def for_session(self, session_id: int) -> list[SessionNote]:
        found = [n for n in self._t.session_notes if n.session_id == session_id]
        return sorted(found, key=lambda n: (n.created_at, n.id or 0))


class FakeEventRepository(_Repository, EventRepository):
    def add(self, event: TransitionEvent) -> None:
        self._t.events.append(replace(event, id=self._t.next_id("events")))

    def for_entity(self, entity: EntityKind, entity_id: int) -> list[TransitionEvent]:
        return [e for e in self._t.events if e.entity == entity and e.entity_id == entity_id]


class FakeNotificationRepository(_Repository, NotificationRepository):
    def add(self, notification: Notification) -> bool:
        if any(n.dedup_key == notification.dedup_key for n in self._t.notifications):
            return False  # one row per key, whatever its status (unique index)
        stored = replace(copy.deepcopy(notification), id=self._t.next_id("notifications"))
        self._t.notifications.append(stored)
        return True

    def cancel_pending(
        self,
        *,
        request_id: int | None = None,
        session_id: int | None = None,
        kinds: Collection[Kind] | None = None,
    ) -> int:
        cancelled = 0
        for n in self._t.notifications:
            if (
                n.status == NotificationStatus.PENDING
                and (request_id is None or n.request_id == request_id)
                and (session_id is None or n.session_id == session_id)
                and (kinds is None or n.kind in kinds)
            ):
                n.status = NotificationStatus.CANCELLED
                cancelled += 1
        return cancelled

    def pending(self) -> list[Notification]:
        waiting = [n for n in self._t.notifications if n.status == NotificationStatus.PENDING]
        return [copy.deepcopy(n) for n in sorted(waiting, key=lambda n: (n.due_at, n.id or 0))]

    def requeue_skipped(self, member_id: int, reasons: Collection[str], now: datetime) -> int:
        count = 0
        for n in self._t.notifications:
            if (
                n.status == NotificationStatus.SKIPPED
                and n.recipient_id == member_id
                and n.last_error in reasons
            ):
                n.status, n.due_at, n.attempts, n.last_error = (
                    NotificationStatus.PENDING,
                    now,
                    0,
                    None,
                )
                count += 1
        return count

    def all(self) -> list[Notification]:
        """Every row, cancelled ones included (not a port method: for assertions)."""
        return copy.deepcopy(self._t.notifications)


class FakeOutboxRepository(_Repository, OutboxRepository):
    """Leases as the SQL version takes them (one process: no SKIP LOCKED needed)."""

    def _row(self, notification_id: int) -> Notification:
        return next(n for n in self._t.notifications if n.id == notification_id)

    def _lease_free(self, n: Notification, now: datetime) -> bool:
        lease = self._t.leases.get(n.id or 0)
        return lease is None or lease[1] <= now

    def lease_due(
        self, now: datetime, limit: int, owner: str, until: datetime, max_attempts: int
    ) -> list[Notification]:
        due = [
            n
            for n in self._t.notifications
            if n.status == NotificationStatus.PENDING
            and n.due_at <= now
            and self._lease_free(n, now)
            and n.attempts < max_attempts
        ]
        taken = sorted(due, key=lambda n: (n.due_at, n.id or 0))[:limit]
        for n in taken:
            n.attempts += 1
            self._t.leases[n.id or 0] = (owner, until)
        return copy.deepcopy(taken)

    def bury_abandoned(self, now: datetime, max_attempts: int) -> list[Notification]:
        buried = []
        for n in self._t.notifications:
            lease = self._t.leases.get(n.id or 0)
            if (
                n.status == NotificationStatus.PENDING
                and n.due_at <= now
                and lease is not None
                and lease[1] <= now
                and n.attempts >= max_attempts
            ):
                n.status = NotificationStatus.DEAD
                n.last_error = n.last_error or "the sending process stopped"
                del self._t.leases[n.id or 0]
                buried.append(copy.deepcopy(n))
        return buried

    def renew(self, notification_ids: Collection[int], owner: str, until: datetime) -> int:
        renewed = 0
        for notification_id in notification_ids:
            if self._held(notification_id, owner) is not None:
                self._t.leases[notification_id] = (owner, until)
                renewed += 1
        return renewed

    def _held(self, notification_id: int, owner: str) -> Notification | None:
        lease = self._t.leases.get(notification_id)
        n = self._row(notification_id)
        if lease is None or lease[0] != owner or n.status != NotificationStatus.PENDING:
            return None
        return n

    def finish(
        self,
        notification_id: int,
        owner: str,
        status: NotificationStatus,
        now: datetime,
        note: str | None = None,
    ) -> bool:
        n = self._held(notification_id, owner)
        if n is None:
            return False
        n.status, n.last_error = status, note
        del self._t.leases[notification_id]
        if status == NotificationStatus.SENT:
            self._t.sent_at[notification_id] = now
        return True

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
        n = self._held(notification_id, owner)
        if n is None:
            return False
        n.due_at, n.last_error, n.progress = due_at, error, tuple(progress)
        n.attempts -= 1 if refund_attempt else 0
        del self._t.leases[notification_id]
        return True

    def counts(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for n in self._t.notifications:
            found[n.status.value] = found.get(n.status.value, 0) + 1
        return found


class FakeUnitOfWork(UnitOfWork):
    """Snapshots the shared store on enter; exit restores it unless committed since."""

    def __init__(self, store: FakeStore | None = None) -> None:
        self.store = store if store is not None else FakeStore()
        self.members = FakeMemberRepository(self.store)
        self.mentors = FakeMentorRepository(self.store)
        self.requests = FakeRequestRepository(self.store)
        self.sessions = FakeSessionRepository(self.store)
        self.events = FakeEventRepository(self.store)
        self.session_notes = FakeSessionNoteRepository(self.store)
        self.notifications = FakeNotificationRepository(self.store)
        self.outbox = FakeOutboxRepository(self.store)
        self.committed = 0
        self._snapshot: Tables | None = None

    def __enter__(self) -> FakeUnitOfWork:
        self._snapshot = copy.deepcopy(self.store.tables)
        return self

    def commit(self) -> None:
        self._snapshot = copy.deepcopy(self.store.tables)
        self.committed += 1
        self.store.commits += 1

    def rollback(self) -> None:
        if self._snapshot is not None:
            self.store.tables = copy.deepcopy(self._snapshot)


class FakeUnitOfWorkFactory:
    """What a :class:`ServiceContext` calls for each transaction; all share ``store``."""

    def __init__(self, store: FakeStore | None = None) -> None:
        self.store = store if store is not None else FakeStore()

    def __call__(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.store)


def make_context(clock: MovableClock | None = None, policy: Policy | None = None) -> ServiceContext:
    tokens = itertools.count(1)
    return ServiceContext(
        uow_factory=FakeUnitOfWorkFactory(),
        clock=clock if clock is not None else MovableClock(START),
        catalogue=Catalogue.load(),
        policy=policy if policy is not None else Policy(),
        token_factory=lambda: f"tok{next(tokens)}",
    )


def store_of(ctx: ServiceContext) -> FakeStore:
    factory = ctx.uow_factory
    assert isinstance(factory, FakeUnitOfWorkFactory)
    return factory.store


def clock_of(ctx: ServiceContext) -> MovableClock:
    assert isinstance(ctx.clock, MovableClock)
    return ctx.clock


# ------------------------------------------------------------------ builders

_external_ids = itertools.count(1)


def _add_member(ctx: ServiceContext, name: str, tz: str, *, admin: bool = False) -> Member:
    with ctx.uow_factory() as uow:
        identity = Identity(Platform.CONSOLE, f"{name.lower()}-{next(_external_ids)}")
        member = uow.members.add(name, tz, identity, ctx.now())
        if admin:
            member.is_admin = True
            uow.members.update(member, ctx.now())
        uow.commit()
    return member


def add_student(ctx: ServiceContext, name: str = "Sam", tz: str = "America/New_York") -> Member:
    return _add_member(ctx, name, tz)


def add_admin(ctx: ServiceContext, name: str = "Ada", tz: str = "UTC") -> Member:
    return _add_member(ctx, name, tz, admin=True)


MONDAY_EVENING = ((0, time(18), time(20)),)


def add_mentor(
    ctx: ServiceContext,
    name: str = "Mia",
    *,
    approved: bool = True,
    tz: str = "Europe/Berlin",
    windows: Iterable[tuple[int, time, time]] = MONDAY_EVENING,
    tags: Iterable[str] = ("python",),
    meeting_link: str | None = None,
) -> Member:
    """A member with a mentor profile (approved unless told) and weekly windows."""
    member = _add_member(ctx, name, tz)
    with ctx.uow_factory() as uow:
        status = MentorStatus.APPROVED if approved else MentorStatus.PENDING
        profile = MentorProfile(
            member.id,
            "backend",
            8,
            "I like helping.",
            list(tags),
            status=status,
            meeting_link=meeting_link,
        )
        uow.mentors.add(profile, ctx.now())
        for weekday, opens, closes in windows:
            uow.mentors.add_window(member.id, AvailabilityWindow(weekday, opens, closes))
        uow.commit()
        fresh = uow.members.get(member.id)
    assert fresh is not None
    return fresh


ALL_EXTRA = {
    "domain": "backend",
    "experience": "Two years of Python",
    "target_role": "Senior engineer",
    "organization": "ACME",
    "message": "Please vouch for my work on the billing system.",
}


def a_draft(**overrides: Any) -> RequestDraft:
    """A draft that validates at START for a student in any zone between UTC-12 and UTC+14."""
    values: dict[str, Any] = {
        "session_type": "career-guidance",
        "title": "Plan my move into backend work",
        "description": "I have two years of frontend experience.\nWhere do I start?",
        "extra": dict(ALL_EXTRA),
        "duration_minutes": 60,
        "urgency": "normal",
        "available_from": date(2026, 3, 3),
        "available_until": date(2026, 3, 13),
        "tags": ["python"],
    }
    values.update(overrides)
    return RequestDraft(**values)


def days_after_start(days: float) -> datetime:
    return START + timedelta(days=days)
