"""The state machines, as data: every allowed move is listed here and nowhere else."""

from __future__ import annotations

from enum import StrEnum

from core.errors import InvalidTransition


class RequestStatus(StrEnum):
    OPEN = "OPEN"
    CLAIMED = "CLAIMED"
    SCHEDULED = "SCHEDULED"
    COMPLETED = "COMPLETED"
    NO_SHOW = "NO_SHOW"
    EXPIRED = "EXPIRED"
    CANCELLED = "CANCELLED"


class SessionStatus(StrEnum):
    SCHEDULED = "SCHEDULED"
    COMPLETED = "COMPLETED"
    NO_SHOW = "NO_SHOW"
    CANCELLED = "CANCELLED"


REQUEST_TRANSITIONS: frozenset[tuple[RequestStatus, RequestStatus]] = frozenset(
    {
        (RequestStatus.OPEN, RequestStatus.CLAIMED),  # claim, or an admin's assignment
        (RequestStatus.CLAIMED, RequestStatus.OPEN),  # release
        (RequestStatus.CLAIMED, RequestStatus.SCHEDULED),
        (RequestStatus.SCHEDULED, RequestStatus.COMPLETED),
        (RequestStatus.SCHEDULED, RequestStatus.NO_SHOW),
        (RequestStatus.OPEN, RequestStatus.EXPIRED),
        (RequestStatus.OPEN, RequestStatus.CANCELLED),
        (RequestStatus.CLAIMED, RequestStatus.CANCELLED),
        (RequestStatus.SCHEDULED, RequestStatus.CANCELLED),
        (RequestStatus.NO_SHOW, RequestStatus.COMPLETED),  # a disputed no-show, settled
    }
)

# Moves that keep the status but are events of their own, with who and why: a request
# addressed to one mentor opens to every mentor (declined by the chosen mentor, or their
# time is up). Not in REQUEST_TRANSITIONS, so check_request_transition(OPEN, OPEN) still
# refuses: no service may take an open request for a claimed one it could "release".
REQUEST_REOPENINGS: frozenset[tuple[RequestStatus, RequestStatus]] = frozenset(
    {(RequestStatus.OPEN, RequestStatus.OPEN)}
)
# every from -> to pair the event log of a request may hold
REQUEST_EVENT_MOVES = REQUEST_TRANSITIONS | REQUEST_REOPENINGS

SESSION_TRANSITIONS: frozenset[tuple[SessionStatus, SessionStatus]] = frozenset(
    {
        (SessionStatus.SCHEDULED, SessionStatus.SCHEDULED),  # reschedule
        (SessionStatus.SCHEDULED, SessionStatus.COMPLETED),
        (SessionStatus.SCHEDULED, SessionStatus.NO_SHOW),
        (SessionStatus.SCHEDULED, SessionStatus.CANCELLED),
        # a no-show report disputed by the other side, or settled by an admin as a no-show
        (SessionStatus.NO_SHOW, SessionStatus.NO_SHOW),
        (SessionStatus.NO_SHOW, SessionStatus.COMPLETED),  # settled: it did happen
    }
)

UNFINISHED_REQUEST_STATES = frozenset(
    {RequestStatus.OPEN, RequestStatus.CLAIMED, RequestStatus.SCHEDULED}
)
# Requests in these states never count towards a usage limit.
NOT_COUNTED_REQUEST_STATES = frozenset({RequestStatus.CANCELLED, RequestStatus.EXPIRED})


def check_request_transition(current: RequestStatus, target: RequestStatus) -> None:
    if (current, target) not in REQUEST_TRANSITIONS:
        raise InvalidTransition(_explain(current))


def check_session_transition(current: SessionStatus, target: SessionStatus) -> None:
    if (current, target) not in SESSION_TRANSITIONS:
        state = current.lower().replace("_", "-")
        raise InvalidTransition(f"That is no longer possible: the session is {state}.")


def _explain(current: RequestStatus) -> str:
    return {
        RequestStatus.OPEN: "That is not possible while the request is still open.",
        RequestStatus.CLAIMED: "That is not possible: the request is already claimed.",
        RequestStatus.SCHEDULED: "That is not possible: the session is already scheduled.",
        RequestStatus.COMPLETED: "That is no longer possible: the session is completed.",
        RequestStatus.NO_SHOW: "That is no longer possible: the session did not take place.",
        RequestStatus.EXPIRED: "That is no longer possible: the request has expired.",
        RequestStatus.CANCELLED: "That is no longer possible: the request was cancelled.",
    }[current]
