"""Described cases for booked and past sessions (``DESCRIBED``)."""

from __future__ import annotations

from tests.scenarios.matrix_case import (
    ADMIN,
    OWN_MENTOR,
    STUDENT,
    Case,
    allow,
    three,
)
from tests.scenarios.matrix_world import World
from tests.scenarios.people import ALICE, BOB, FAY, GUS


async def reschedule(w: World) -> list[Case]:
    return three(
        Case("valid", (str(w.session(ALICE, BOB)[1]),)),
        Case("forged", (str(w.session(FAY, GUS)[1]),)),
        Case("stale", (str(w.cancelled_session()),)),
    )


async def more_moves(w: World) -> list[Case]:
    """The next page of times to move to only shows something."""
    return three(
        Case("valid", (str(w.session(ALICE, BOB)[1]), "1")),
        Case("forged", (str(w.session(FAY, GUS)[1]), "1")),
        Case("stale", (str(w.cancelled_session()), "1")),
    )


async def move(w: World) -> list[Case]:
    (mine, session), (theirs, other) = w.session(ALICE, BOB), w.session(FAY, GUS)
    epoch = str(w.slot(BOB, mine))
    return three(
        Case("valid", (str(session), epoch), allow(STUDENT, OWN_MENTOR)),
        Case("forged", (str(other), str(w.slot(GUS, theirs)))),
        Case("stale", (str(w.cancelled_session()), epoch)),
    )


async def cancel_session(w: World) -> list[Case]:
    return three(
        Case("valid", (str(w.session(ALICE, BOB)[1]),), allow(STUDENT, OWN_MENTOR, ADMIN)),
        Case("forged", (str(w.session(FAY, GUS)[1]),), allow(ADMIN)),
        Case("stale", (str(w.cancelled_session()),)),
    )


async def outcome(w: World) -> list[Case]:
    mine, theirs = w.past["mine"], w.past["theirs"]
    return [
        Case("valid", (str(mine[0]), "completed"), allow(STUDENT, OWN_MENTOR, ADMIN)),
        Case("valid, no-show", (str(mine[1]), "student_no_show"), allow(OWN_MENTOR, ADMIN)),
        Case("forged", (str(theirs[0]), "completed"), allow(ADMIN)),
        Case("stale", (str(mine[4]), "completed")),
    ]


async def rate(w: World) -> list[Case]:
    mine, theirs = w.past["mine"], w.past["theirs"]
    return three(
        Case("valid", (str(mine[2]), "5"), allow(STUDENT)),
        Case("forged", (str(theirs[2]), "5")),
        Case("stale", (str(mine[3]), "5")),  # rated already
    )


async def notes(w: World) -> list[Case]:
    mine, theirs = w.past["mine"], w.past["theirs"]
    return three(
        Case("valid", (str(mine[2]),)),
        Case("forged", (str(theirs[2]),)),
        Case("stale", (str(mine[4]),)),
    )
