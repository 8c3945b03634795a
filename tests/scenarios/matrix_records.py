"""Described cases for disputes, settlements, withdrawing and hiding (``DESCRIBED``)."""

from __future__ import annotations

from datetime import date, timedelta

from core.services.disputes import dispute_no_show
from core.services.outcomes import record_outcome
from core.services.sessions import cancel_session
from core.sessions import Outcome
from tests.scenarios.matrix_case import ADMIN, STUDENT, Case, allow, three
from tests.scenarios.matrix_world import World
from tests.scenarios.people import ALICE, BOB, FAY, GUS, Person


def _no_show(w: World, student: Person, mentor: Person) -> int:
    """A session that took place on 3 March, its student reported absent by the mentor.

    Booked with the clock set back to before it (times in the past are never offered),
    then reported at the world's own time, so the 48 hours to dispute it are running."""
    now = w.ctx.now()
    w.d.clock.set(now - timedelta(days=3))
    _, session = w._session(student, mentor, date(2026, 3, 3))
    w.d.clock.set(now)
    record_outcome(w.ctx, w.id(mentor), session, Outcome.STUDENT_NO_SHOW)
    return session


def _disputed(w: World, student: Person, mentor: Person) -> int:
    session = _no_show(w, student, mentor)
    dispute_no_show(w.ctx, w.id(student), session)
    return session


async def dispute(w: World) -> list[Case]:
    """Only the one reported absent may answer "It did happen"."""
    return three(
        Case("valid", (str(_no_show(w, ALICE, BOB)),), allow(STUDENT)),
        Case("forged", (str(_no_show(w, FAY, GUS)),)),
        Case("stale", (str(w.past["mine"][2]),)),  # completed: nothing to dispute
    )


async def settle(w: World) -> list[Case]:
    """Admins settle any disputed no-show; nobody settles one that is not disputed."""
    return three(
        Case("valid", (str(_disputed(w, ALICE, BOB)), "completed"), allow(ADMIN)),
        Case("forged", (str(_disputed(w, FAY, GUS)), "no_show"), allow(ADMIN)),
        Case("stale", (str(w.past["mine"][2]), "completed")),
    )


async def withdraw(w: World) -> list[Case]:
    """A student withdraws their own finished request; an admin hides any request."""
    return three(
        Case("valid", (str(w.cancelled_request(ALICE)),), allow(STUDENT, ADMIN)),
        Case("forged", (str(w.cancelled_request(FAY)),), allow(ADMIN)),
        Case("stale", (str(w.open_request(ALICE)),), allow(ADMIN)),  # not over: cancel first
    )


async def hide(w: World) -> list[Case]:
    """A student hides their own finished session; an admin hides any session."""
    _, theirs = w.session(FAY, GUS)
    cancel_session(w.ctx, w.id(GUS), theirs)
    return three(
        Case("valid", (str(w.cancelled_session()),), allow(STUDENT, ADMIN)),
        Case("forged", (str(theirs),), allow(ADMIN)),
        Case("stale", (str(w.session(ALICE, BOB)[1]),), allow(ADMIN)),  # still to come
    )
