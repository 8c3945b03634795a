"""A hundred mentors press Claim on the same request at the same moment.

Each thread has its own database connection and all of them are released by one barrier,
so the conditional update in ``claim_request`` is what decides the winner. The twin test
runs the same race against a read-then-write claim and shows that it does break, so this
test is known to be able to fail.
"""

from __future__ import annotations

import time as timer
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from core.clock import MovableClock
from core.errors import AlreadyClaimed
from core.events import EntityKind
from core.lifecycle import RequestStatus
from core.services.claims import claim_request
from core.services.context import ServiceContext
from core.services.requests import submit_request
from tests.integration.helpers import (
    START,
    add_admin,
    add_mentor,
    add_student,
    dispose_engines,
    free_connections,
    make_context,
    valid_draft,
)

pytestmark = pytest.mark.slow

MENTORS = 100
ROUNDS = 20
TWIN_ROUNDS = 5

ONLY_POSTGRES = pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)

Claim = Callable[[ServiceContext, int, int], Any]


def _setup(database_url: str) -> tuple[ServiceContext, dict[int, str], list[int]]:
    """A context with a connection per mentor, the mentors (id -> name) and open requests."""
    clock = MovableClock(START)
    setup = make_context(database_url, clock, max_active_requests=ROUNDS)
    admin = add_admin(setup)
    names: dict[int, str] = {}
    for i in range(MENTORS):
        name = f"Mentor {i:03d}"
        names[add_mentor(setup, admin, name, windows=())] = name
    student = add_student(setup, "Student")
    requests = [
        submit_request(setup, student, valid_draft(START.date(), title=f"Request number {r}")).id
        for r in range(ROUNDS)
    ]
    # A connection per racer where the server has them; else the racers beyond queue for
    # a free one (never a second pool beyond it: a default server allows 100 connections,
    # and past them claims failed with "too many clients", not with the race's answer).
    dispose_engines()
    pool = min(MENTORS + 5, free_connections(database_url))
    racing = make_context(
        database_url, clock, pool_size=pool, max_overflow=0, max_active_requests=ROUNDS
    )
    return racing, names, requests


def _race(run_concurrently, ctx: ServiceContext, mentors: list[int], request_id: int, claim: Claim):
    outcomes = run_concurrently(*[lambda m=m: claim(ctx, m, request_id) for m in mentors])
    return dict(zip(mentors, outcomes, strict=True))


def _believed_winners(outcomes: dict[int, Any]) -> list[int]:
    return [m for m, outcome in outcomes.items() if not isinstance(outcome, BaseException)]


def test_a_hundred_simultaneous_claims_have_exactly_one_winner_and_99_clear_refusals(
    database_url, run_concurrently
):
    ctx, names, requests = _setup(database_url)
    mentors = list(names)
    for request_id in requests:
        outcomes = _race(run_concurrently, ctx, mentors, request_id, claim_request)

        winners = _believed_winners(outcomes)
        assert len(winners) == 1, f"request {request_id}: winners {winners}"
        winner = winners[0]
        refused = [o for o in outcomes.values() if isinstance(o, AlreadyClaimed)]
        other_errors = [
            o
            for o in outcomes.values()
            if isinstance(o, BaseException) and not isinstance(o, AlreadyClaimed)
        ]
        assert other_errors == []
        assert len(refused) == MENTORS - 1
        for refusal in refused:
            assert refusal.claimer_name == names[winner]
            assert refusal.user_message == f"Already claimed by {names[winner]}."
        assert outcomes[winner].claimed_by == winner

        with ctx.uow_factory() as uow:
            stored = uow.requests.get(request_id)
            events = uow.events.for_entity(EntityKind.REQUEST, request_id)
        assert stored is not None
        assert stored.status == RequestStatus.CLAIMED
        assert stored.claimed_by == winner
        claimed = [e for e in events if e.to_status == RequestStatus.CLAIMED]
        assert len(claimed) == 1
        assert claimed[0].actor_id == winner


def _unguarded_claim(ctx: ServiceContext, mentor_id: int, request_id: int) -> int:
    """Read the request, check OPEN in Python, then write: no conditional update."""
    now: datetime = ctx.now()
    with ctx.uow_factory() as uow:
        request = uow.requests.get(request_id)
        assert request is not None
        if request.status != RequestStatus.OPEN:
            raise AlreadyClaimed(None)
        timer.sleep(0.005)  # the time a real handler spends between reading and writing
        request.status = RequestStatus.CLAIMED
        request.claimed_by = mentor_id
        request.claimed_at = now
        uow.requests.save(request, now)
        uow.commit()
    return mentor_id


@ONLY_POSTGRES
def test_the_claim_race_breaks_a_read_then_write_claim(database_url, run_concurrently):
    """The twin: same race, unguarded claim; several mentors are told they won.

    PostgreSQL only: on SQLite ``BEGIN IMMEDIATE`` takes the write lock before the read,
    which serializes even the unguarded claim.
    """
    ctx, names, requests = _setup(database_url)
    mentors = list(names)
    winners_per_round: dict[int, int] = {}
    for request_id in requests[:TWIN_ROUNDS]:
        outcomes = _race(run_concurrently, ctx, mentors, request_id, _unguarded_claim)
        winners_per_round[request_id] = len(_believed_winners(outcomes))
    assert max(winners_per_round.values()) > 1, winners_per_round
