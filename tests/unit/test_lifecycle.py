"""The state machines: every pair of statuses is either an allowed move or refused."""

from __future__ import annotations

from itertools import product

import pytest

from core.errors import InvalidTransition
from core.lifecycle import (
    REQUEST_TRANSITIONS,
    SESSION_TRANSITIONS,
    RequestStatus,
    SessionStatus,
    check_request_transition,
    check_session_transition,
)

R = RequestStatus
S = SessionStatus

ALLOWED_REQUEST_MOVES = {
    (R.OPEN, R.CLAIMED),
    (R.CLAIMED, R.OPEN),
    (R.CLAIMED, R.SCHEDULED),
    (R.SCHEDULED, R.COMPLETED),
    (R.SCHEDULED, R.NO_SHOW),
    (R.OPEN, R.EXPIRED),
    (R.OPEN, R.CANCELLED),
    (R.CLAIMED, R.CANCELLED),
    (R.SCHEDULED, R.CANCELLED),
    (R.NO_SHOW, R.COMPLETED),  # a disputed no-show settled by an admin: it did happen
}
ALLOWED_SESSION_MOVES = {
    (S.SCHEDULED, S.SCHEDULED),
    (S.SCHEDULED, S.COMPLETED),
    (S.SCHEDULED, S.NO_SHOW),
    (S.SCHEDULED, S.CANCELLED),
    (S.NO_SHOW, S.NO_SHOW),  # disputed, or settled as a no-show
    (S.NO_SHOW, S.COMPLETED),  # settled: it did happen
}
REQUEST_PAIRS = list(product(RequestStatus, RequestStatus))
SESSION_PAIRS = list(product(SessionStatus, SessionStatus))


def test_the_request_table_is_exactly_the_products_lifecycle():
    assert REQUEST_TRANSITIONS == ALLOWED_REQUEST_MOVES


def test_the_session_table_is_exactly_the_products_lifecycle():
    assert SESSION_TRANSITIONS == ALLOWED_SESSION_MOVES


@pytest.mark.parametrize(("current", "target"), REQUEST_PAIRS, ids=lambda s: s.value)
def test_each_request_move_is_allowed_or_refused_with_a_readable_message(current, target):
    if (current, target) in ALLOWED_REQUEST_MOVES:
        check_request_transition(current, target)
        return
    with pytest.raises(InvalidTransition) as caught:
        check_request_transition(current, target)
    message = caught.value.user_message
    assert message.startswith("That is ")
    assert message.endswith(".")
    assert "_" not in message  # no raw enum names in a chat


@pytest.mark.parametrize(
    ("current", "explanation"),
    [
        (R.OPEN, "still open"),
        (R.CLAIMED, "already claimed"),
        (R.SCHEDULED, "already scheduled"),
        (R.COMPLETED, "completed"),
        (R.NO_SHOW, "did not take place"),
        (R.EXPIRED, "expired"),
        (R.CANCELLED, "cancelled"),
    ],
)
def test_a_refused_request_move_explains_where_the_request_is_now(current, explanation):
    with pytest.raises(InvalidTransition, match=explanation):
        check_request_transition(current, R.OPEN if current != R.CLAIMED else R.EXPIRED)


@pytest.mark.parametrize(("current", "target"), SESSION_PAIRS, ids=lambda s: s.value)
def test_each_session_move_is_allowed_or_refused_with_a_readable_message(current, target):
    if (current, target) in ALLOWED_SESSION_MOVES:
        check_session_transition(current, target)
        return
    with pytest.raises(InvalidTransition) as caught:
        check_session_transition(current, target)
    message = caught.value.user_message
    state = {S.SCHEDULED: "scheduled", S.COMPLETED: "completed", S.NO_SHOW: "no-show"}.get(
        current, "cancelled"
    )
    assert message == f"That is no longer possible: the session is {state}."


@pytest.mark.parametrize("final", [R.COMPLETED, R.NO_SHOW, R.EXPIRED, R.CANCELLED])
def test_a_finished_request_cannot_move_anywhere(final):
    for target in RequestStatus:
        if (final, target) == (R.NO_SHOW, R.COMPLETED):
            continue  # only an admin settling a disputed no-show
        with pytest.raises(InvalidTransition):
            check_request_transition(final, target)
