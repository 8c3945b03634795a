"""Refusals, on every front-end: a second claim by another mentor, a student pressing a
mentor's button, someone else's session, a stale button. Each is refused in the same
plain words everywhere (the platform only names its own way onwards) and changes nothing.
"""

from __future__ import annotations

from tests.scenarios.driver import Driver
from tests.scenarios.people import ALICE, BOB, CAROL, ERIN
from tests.scenarios.story import booked, plain


async def test_refusals_change_nothing_and_say_why(driver: Driver) -> None:
    d = driver
    await d.register(ERIN)
    done = await booked(d)  # Carol's late claim was refused: "Already claimed by Bob"
    cases = [
        ("a student claims", ALICE, "claim", (done.request,), "Only mentors can do that."),
        (
            "a student releases",
            ALICE,
            "release",
            (done.request,),
            "Only the mentor who claimed this request can release it.",
        ),
        (
            "a student asks to write the notes",
            ALICE,
            "notes",
            (done.session,),
            "Only the mentor of this session",
        ),
        (
            "another mentor cancels",
            CAROL,
            "cancel_session",
            (done.session,),
            "Only the student and the mentor of this session can cancel it.",
        ),
        (
            "another student rates",
            ERIN,
            "rate",
            (done.session, "5"),
            "Only the student of this session can rate it.",
        ),
        (
            "another mentor's stale claim",
            CAROL,
            "claim",
            (done.request,),
            "Already claimed by Bob.",
        ),
    ]
    wrong = []
    for label, person, name, args, words in cases:
        before = d.snapshot()
        said = plain(await d.press(person, name, *args))
        assert d.snapshot() == before, f"{label} changed something"
        if words not in said:
            wrong.append(f"{label}: expected {words!r}, told {said!r}")
    assert not wrong, "\n".join(wrong)


async def test_a_stale_claim_of_a_booked_request_offers_no_times(driver: Driver) -> None:
    """Bob presses the card's Claim again after he booked: he is not asked to pick a time
    for a request that has one (its time buttons could only be refused)."""
    d = driver
    done = await booked(d)
    offers = len(d.shown(BOB, "book"))
    before = d.snapshot()
    said = plain(await d.press(BOB, "claim", done.request))
    assert d.snapshot() == before
    assert "Pick a time" not in said and len(d.shown(BOB, "book")) == offers, said
