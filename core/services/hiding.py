"""Soft delete: withdraw a finished request, hide a finished session; admins hide anything.

Nothing is ever deleted: the rows get ``is_deleted`` and ``deleted_at`` and leave every
list, queue, announcement and sweep (the repositories' lists skip them, and a conditional
move never touches them). A request and its session are one item in people's lists, so
hiding one hides both. Their history stays readable by admins.

A student withdraws only what is over (completed, no-show, expired, cancelled): an
unfinished request is cancelled first, so the mentor and the feed are told. An admin may
hide an unfinished one too; its pending messages (announcements, reminders) are dropped.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.errors import InvalidTransition, NotAllowed, NotFound
from core.hints import Hint
from core.lifecycle import UNFINISHED_REQUEST_STATES, SessionStatus
from core.members import Member
from core.notifications import Kind
from core.ports import UnitOfWork
from core.requests import MentorshipRequest
from core.services.common import card_update
from core.services.context import ServiceContext, load_member
from core.sessions import MentorshipSession

# What is no longer worth sending about a hidden item: offers and prompts to act on it.
# News already decided (a cancellation, a booking) still reaches the other person.
HIDDEN_DROPS = frozenset(
    {
        Kind.REQUEST_POSTED,
        Kind.REQUEST_REANNOUNCED,
        Kind.REQUEST_FOR_YOU,
        Kind.REQUEST_MATCHED,
        Kind.EXPIRY_WARNING,
        Kind.MENTOR_NUDGE,
        Kind.REMINDER,
        Kind.OUTCOME_PROMPT,
        Kind.RATING_PROMPT,
        Kind.RATING_REMINDER,
        Kind.MENTOR_NOTES_PROMPT,
    }
)


def withdraw_request(ctx: ServiceContext, actor_id: int, request_id: int) -> MentorshipRequest:
    """Take a finished request (and its session) out of every list; a second press is a
    no-op. Its student may, for what is over; an admin may, for anything."""
    now = ctx.now()
    with ctx.uow_factory() as uow:
        actor = load_member(uow, actor_id)
        request = uow.requests.get(request_id)
        if request is None or (request.student_id != actor_id and not actor.is_admin):
            raise NotFound(f"There is no request #{request_id}.")
        if request.is_deleted:
            return request
        session = uow.sessions.for_request(request_id)
        _check_may_hide(actor, request, session)
        _hide(uow, request, session, now)
        hidden = uow.requests.get(request_id)
        uow.commit()
    assert hidden is not None
    return hidden


def hide_session(ctx: ServiceContext, actor_id: int, session_id: int) -> MentorshipSession:
    """Take a finished session (and its request) out of every list; see the module."""
    now = ctx.now()
    with ctx.uow_factory() as uow:
        actor = load_member(uow, actor_id)
        session = uow.sessions.get(session_id)
        if session is None or (session.student_id != actor_id and not actor.is_admin):
            raise NotFound(f"There is no session #{session_id}.")
        if session.is_deleted:
            return session
        request = uow.requests.get(session.request_id)
        assert request is not None  # a session always has its request
        _check_may_hide(actor, request, session)
        _hide(uow, request, session, now)
        hidden = uow.sessions.get(session_id)
        uow.commit()
    assert hidden is not None
    return hidden


def _check_may_hide(
    actor: Member, request: MentorshipRequest, session: MentorshipSession | None
) -> None:
    if actor.is_admin:
        return
    if request.status in UNFINISHED_REQUEST_STATES:
        raise InvalidTransition(
            "You can withdraw it once it is over; to stop it now, cancel it first.", Hint.MY
        )
    if session is not None and session.is_disputed:
        raise NotAllowed("An admin is settling what happened in this session; hide it after.")


def _hide(
    uow: UnitOfWork,
    request: MentorshipRequest,
    session: MentorshipSession | None,
    now: datetime,
) -> None:
    """Mark both rows, conditionally on their status as read (a concurrent move wins and
    the hide is refused rather than hiding something that changed under it)."""
    changes: dict[str, Any] = {"is_deleted": True, "deleted_at": now}
    if not uow.requests.transition(request.id, [request.status], request.status, now, **changes):
        raise InvalidTransition("It changed just now; please look again.")
    uow.notifications.cancel_pending(request_id=request.id, kinds=HIDDEN_DROPS)
    if session is not None and not session.is_deleted:
        if not uow.sessions.transition(
            session.id, [session.status], session.status, now, **changes
        ):
            raise InvalidTransition("It changed just now; please look again.")
        uow.notifications.cancel_pending(session_id=session.id, kinds=HIDDEN_DROPS)
    if request.status in UNFINISHED_REQUEST_STATES or (
        session is not None and session.status == SessionStatus.SCHEDULED
    ):
        card_update(uow, request.id, now, "hidden")
