"""Small pieces several services share: loading with a clear 'not found', feed updates."""

from __future__ import annotations

from datetime import datetime

from core.errors import NotFound
from core.events import EntityKind
from core.lifecycle import SessionStatus
from core.notifications import Audience, Kind, Notification, to_audience
from core.ports import UnitOfWork, record
from core.requests import MentorshipRequest
from core.services.context import ServiceContext
from core.sessions import MentorshipSession
from core.validation import clean_text, validate_one


def clean_reason(ctx: ServiceContext, reason: str | None) -> str:
    """The optional free-text reason given when cancelling or releasing."""
    return validate_one(
        "reason",
        lambda: clean_text(reason, "The reason", ctx.policy.reason_max, required=False),
    )


def no_such(what: str, ref: object) -> str:
    """An id that never named anything (or cannot: not a number, beyond BIGINT) is not
    something that "no longer exists": say there is none by that number."""
    return f"There is no {what} #{ref}."


def load_request(uow: UnitOfWork, request_id: int) -> MentorshipRequest:
    return present_request(uow.requests.get(request_id), request_id)


def present_request(request: MentorshipRequest | None, request_id: int) -> MentorshipRequest:
    """The request as read, refused like ``load_request`` if there is none (any more)."""
    if request is None:
        raise NotFound(no_such("request", request_id))
    if request.is_deleted:
        raise NotFound("That request no longer exists.")
    return request


def load_session(uow: UnitOfWork, session_id: int) -> MentorshipSession:
    session = uow.sessions.get(session_id)
    if session is None:
        raise NotFound(no_such("session", session_id))
    if session.is_deleted:
        raise NotFound("That session no longer exists.")
    return session


def revision(uow: UnitOfWork, entity: EntityKind, entity_id: int) -> int:
    """How many transitions the entity has had, for the keys of notifications booked again
    after a change: a dedup key stays taken even by a cancelled row, so a key naming only
    the time would silently drop the booking when a time comes back (A -> B -> A)."""
    return uow.events.count_for(entity, entity_id)


def invite_sequence(version: int) -> int:
    """The .ics SEQUENCE for a session whose events number ``version``: 0 for the
    booking, one more for each move and for the cancellation, so a calendar applies every
    update of the same UID (derived from the recorded events, never from the clock: two
    changes in one minute must still differ)."""
    return max(0, version - 1)


def card_update(uow: UnitOfWork, request_id: int, now: datetime, what: str) -> None:
    """Ask the front-ends to redraw the request's card in the mentors' feed."""
    version = revision(uow, EntityKind.REQUEST, request_id)
    uow.notifications.add(card_update_notice(request_id, now, what, version))


def card_update_notice(request_id: int, now: datetime, what: str, version: int) -> Notification:
    """The card redraw of ``card_update``, for a caller that books it with others (one
    round trip) and already knows the request's revision."""
    return to_audience(
        Kind.CARD_UPDATE,
        Audience.MENTORS,
        now,
        f"r{request_id}:{what}:v{version}",
        request_id=request_id,
    )


def close_session_for_request(
    uow: UnitOfWork, request: MentorshipRequest, actor_id: int, now: datetime, reason: str
) -> None:
    """Cancel the request's scheduled session, if any, and its pending reminders.

    The callers tell the people involved (once, about the request as a whole).
    """
    session = uow.sessions.for_request(request.id)
    if session is None:
        return
    if uow.sessions.transition(session.id, [SessionStatus.SCHEDULED], SessionStatus.CANCELLED, now):
        record(
            uow,
            EntityKind.SESSION,
            session.id,
            SessionStatus.SCHEDULED,
            SessionStatus.CANCELLED,
            actor_id,
            now,
            reason,
        )
    uow.notifications.cancel_pending(session_id=session.id)
