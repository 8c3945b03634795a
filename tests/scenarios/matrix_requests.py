"""Described cases for requests, claims, people and admin decisions (``DESCRIBED``)."""

from __future__ import annotations

from core.services.mentors import remove_availability
from tests.scenarios.matrix_case import (
    ADMIN,
    EVERYONE,
    MENTORS,
    OWN_MENTOR,
    STUDENT,
    Case,
    allow,
    three,
)
from tests.scenarios.matrix_world import MISSING, World
from tests.scenarios.people import ALICE, BOB, DAVE, FAY, GUS

FIRST_SECOND = "1"  # "More times" after 1970: the first page


async def claim(w: World) -> list[Case]:
    return [
        *three(
            Case("valid", (str(w.open_request(ALICE)),), MENTORS),
            Case("forged", (str(w.open_request(FAY)),), MENTORS),  # any open request may be
            Case("stale", (str(w.cancelled_request(ALICE)),)),
        ),
        *await claim_directed(w),
    ]


async def claim_directed(w: World) -> list[Case]:
    """A request addressed to one mentor: nobody else may claim it while it is theirs."""
    return [
        Case("for the claiming mentor", (str(w.directed_request(ALICE, BOB)),), allow(OWN_MENTOR)),
        Case("for someone else", (str(w.directed_request(ALICE, GUS)),)),
    ]


async def decline(w: World) -> list[Case]:
    """Only the mentor a request was addressed to may turn it down."""
    return three(
        Case("valid", (str(w.directed_request(ALICE, BOB)),), allow(OWN_MENTOR)),
        Case("forged", (str(w.directed_request(FAY, GUS)),)),
        Case("stale", (str(w.cancelled_request(ALICE)),)),
    )


async def slots(w: World) -> list[Case]:
    return three(
        Case("valid", (str(w.claimed(ALICE, BOB)),)),
        Case("forged", (str(w.claimed(FAY, GUS)),)),
        Case("stale", (str(w.cancelled_request(ALICE)),)),
    )


async def more_times(w: World) -> list[Case]:
    """The next page of times only shows something: nobody changes anything."""
    mine, theirs = w.claimed(ALICE, BOB), w.claimed(FAY, GUS)
    return three(
        Case("valid", (str(mine), FIRST_SECOND)),
        Case("forged", (str(theirs), FIRST_SECOND)),
        Case("stale", (str(w.cancelled_request(ALICE)), FIRST_SECOND)),
    )


async def release(w: World) -> list[Case]:
    return three(
        Case("valid", (str(w.claimed(ALICE, BOB)),), allow(OWN_MENTOR, ADMIN)),
        Case("forged", (str(w.claimed(FAY, GUS)),), allow(ADMIN)),
        Case("stale", (str(w.cancelled_request(ALICE)),)),
    )


async def book(w: World) -> list[Case]:
    mine, theirs = w.claimed(ALICE, BOB), w.claimed(FAY, GUS)
    epoch = str(w.slot(BOB, mine))
    return three(
        Case("valid", (str(mine), epoch), allow(OWN_MENTOR)),
        Case("forged", (str(theirs), str(w.slot(GUS, theirs)))),
        Case("stale", (str(w.session(ALICE, BOB)[0]), epoch)),
    )


async def just_look(w: World) -> list[Case]:
    return [Case("valid", ())]


async def assign(w: World) -> list[Case]:
    bob, gus = str(w.id(BOB)), str(w.id(GUS))
    return [
        Case("valid", (str(w.open_request(ALICE)), bob), allow(ADMIN)),
        Case("forged", (str(w.open_request(FAY)), gus), allow(ADMIN)),
        Case("stale", (str(w.cancelled_request(ALICE)), bob)),
        Case("unapproved mentor", (str(w.open_request(ALICE)), str(w.id(DAVE)))),
    ]


async def timezone(w: World) -> list[Case]:
    """One's own zone: anyone may change it (undone after the action's presses)."""
    return [Case("valid", ("Europe/Rome",), EVERYONE), Case("unknown zone", ("Not/AZone",))]


def _removed_window(w: World) -> str:
    window = w.window(BOB)
    remove_availability(w.ctx, w.id(BOB), window)
    return str(window)


async def remove_window(w: World) -> list[Case]:
    return three(
        Case("valid", (str(w.window(BOB)),), allow(OWN_MENTOR)),
        Case("forged", (str(w.window(GUS)),)),
        Case("stale", (_removed_window(w),)),
    )


async def availability(w: World) -> list[Case]:
    return [
        Case("valid", ("add Sun 22:00-23:00",), allow("pending mentor", *MENTORS)),
        Case("forged", (f"remove {w.window(GUS)}",)),
        Case("stale", (f"remove {_removed_window(w)}",)),
        Case("bad window", ("add Funday 25:00-26:00",)),
    ]


async def cancel(w: World) -> list[Case]:
    return three(
        Case("valid", (str(w.open_request(ALICE)),), allow(STUDENT, ADMIN)),
        Case("forged", (str(w.open_request(FAY)),), allow(ADMIN)),
        Case("stale", (str(w.cancelled_request(ALICE)),)),
    )


async def extend(w: World) -> list[Case]:
    return three(
        Case("valid", (str(w.open_request(ALICE)),), allow(STUDENT)),
        Case("forged", (str(w.open_request(FAY)),)),
        Case("stale", (str(w.cancelled_request(ALICE)),)),
    )


async def extend_once(w: World) -> list[Case]:
    """The expiry warning's Extend: the request and the expiry the warning named."""

    def shown(request: int) -> tuple[str, str]:
        with w.ctx.uow_factory() as uow:
            found = uow.requests.get(request)
        assert found is not None
        return str(request), str(int(found.expires_at.timestamp()))

    return three(
        Case("valid", shown(w.open_request(ALICE)), allow(STUDENT)),
        Case("forged", shown(w.open_request(FAY))),
        Case("stale", shown(w.cancelled_request(ALICE))),
    )


async def repost(w: World) -> list[Case]:
    return three(
        Case("valid", (str(w.cancelled_request(ALICE)),), allow(STUDENT)),
        Case("forged", (str(w.cancelled_request(FAY)),)),
        Case("stale", (MISSING,)),
    )


async def edit(w: World) -> list[Case]:
    return three(
        Case("valid", (str(w.open_request(ALICE)),)),
        Case("forged", (str(w.open_request(FAY)),)),
        Case("stale", (str(w.cancelled_request(ALICE)),)),
    )


async def ask(w: World) -> list[Case]:
    return three(Case("valid", (str(w.id(BOB)),)), Case("forged", (str(w.id(DAVE)),)), None)


async def history(w: World) -> list[Case]:
    mine, theirs = "Bob's reason, for Alice", "Gus's reason, for Fay"
    return three(
        Case(
            "valid",
            (str(w.with_history(ALICE, BOB, mine)),),
            secret=mine,
            sees=allow(STUDENT, OWN_MENTOR, ADMIN),
        ),
        Case("forged", (str(w.with_history(FAY, GUS, theirs)),), secret=theirs, sees=allow(ADMIN)),
        Case("stale", (MISSING,)),
    )


async def decide(w: World) -> list[Case]:
    return three(
        Case("valid", (str(await w.applicant()),), allow(ADMIN)),
        Case("forged", (str(w.id(ALICE)),)),  # not an applicant
        Case("stale", (MISSING,)),
    )
