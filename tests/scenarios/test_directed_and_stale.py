"""Requests that mean what they say, on every front-end.

Alice asks Bob by name (and agrees that others may take it if he cannot): only Bob is
told, with Claim and Decline; the mentors' feed shows nothing yet, and Carol's claim is
refused. Bob declines, saying why; Alice is told his reason and that her request is now
open to every mentor; its card reaches the feed and Carol claims it.

A request whose days have passed cannot be claimed (Carol is told why, nothing changes);
the sweep expires it and Alice gets the offer to post it again with new dates.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from core.requests import RequestDraft
from core.services.requests import submit_request
from tests.scenarios.driver import Driver, RequestSpec
from tests.scenarios.people import ALICE, BOB, CAROL, Person
from tests.scenarios.story import TITLE, cast, plain

REASON = "I am away that week"
SPEC = RequestSpec()


def _ask(d: Driver, student: Person, mentor: Person | None, until: date) -> str:
    """Alice's request as the form stores it (the form itself is tested elsewhere)."""
    chosen = d.member(mentor).id if mentor else None
    draft = RequestDraft(
        "career-guidance",
        TITLE,
        SPEC.description,
        {},
        45,
        "normal",
        SPEC.available_from,
        until,
        ["python"],
        preferred_mentor_id=chosen,
        open_to_others=True,
    )
    return str(submit_request(d.ctx, d.member(student).id, draft).id)


async def test_only_the_chosen_mentor_may_claim_and_their_decline_opens_it(
    driver: Driver,
) -> None:
    d = driver
    await cast(d)
    request = _ask(d, ALICE, BOB, SPEC.available_until)
    await d.deliver()

    assert "Alice asked for you as their mentor." in d.told(BOB), d.told(BOB)
    assert (request,) in d.shown(BOB, "claim")
    assert (request,) in d.shown(BOB, "decline")
    assert not any(f"#{request}" in card for card in d.feed), d.feed  # not in the feed yet
    assert (request,) not in d.shown(CAROL, "claim")

    before = d.snapshot()
    refused = plain(await d.press(CAROL, "claim", request))
    assert "addressed to another mentor: only they can claim it for now" in refused, refused
    assert d.snapshot() == before

    asked = plain(await d.press_shown(BOB, "decline", (request,)))
    assert "Why can't you take it?" in asked or "Decline the request" in asked, asked
    done = plain(await d.answer(BOB, REASON))
    assert f"Declined: #{request} is now open to every mentor." in done, done
    told = d.told(ALICE)
    assert f'Bob cannot take "{TITLE}". Reason: {REASON}. As you agreed, it is now open to ' in (
        told
    ), told
    assert any(f"#{request}" in card for card in d.feed), d.feed

    won = plain(await d.press_shown(CAROL, "claim", (request,)))
    assert "You claimed" in won and f"#{request}" in won, won
    assert "Good news: Carol will mentor you" in d.told(ALICE)
    reason = d.scalar(
        "SELECT reason FROM transition_events WHERE entity_id = :i AND from_status = 'OPEN' "
        "AND to_status = 'OPEN'",
        i=int(request),
    )
    assert reason == f"declined: {REASON}"


async def test_a_request_whose_days_have_passed_cannot_be_claimed(driver: Driver) -> None:
    d = driver
    await cast(d)
    request = _ask(d, ALICE, None, date(2026, 3, 4))
    await d.deliver()
    assert (request,) in d.shown(CAROL, "claim")

    d.clock.set(datetime(2026, 3, 5, 8, 30, tzinfo=UTC))  # 5 March 00:30 in Los Angeles
    # pressed before the sweep has run (the console runs it after each line, too)
    refused = plain(await d._press(CAROL, "claim", (request,)))
    assert "those days have passed: it can no longer be claimed" in refused, refused
    claimer = d.scalar("SELECT claimed_by FROM mentorship_requests WHERE id = :i", i=int(request))
    assert claimer is None

    await d.deliver()  # the sweep
    told = d.told(ALICE)
    assert f'The days you gave for "{TITLE}" (2026-03-03 to 2026-03-04) have passed' in told
    assert (request,) in d.shown(ALICE, "repost")
    status = d.scalar("SELECT status FROM mentorship_requests WHERE id = :i", i=int(request))
    assert status == "EXPIRED"
