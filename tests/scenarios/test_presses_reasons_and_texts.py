"""Issue 11, items 4, 5 and 13, on every front-end (Telegram, Slack, the console; SQLite
and PostgreSQL): a repeated press changes nothing, tells nobody and says so; a move and
a release carry who and why to the other side; ids that name nothing, and people who are
not mentors, are described truthfully.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from tests.scenarios.driver import MOVE, Driver, RequestSpec
from tests.scenarios.people import ADA, ALICE, BOB
from tests.scenarios.story import TITLE, booked, cast, claimed, plain, posted

MOVE_REASON = "My exam moved"
RELEASE_REASON = "My week filled up"
HUGE = "99999999999999999999999"  # beyond any BIGINT


async def test_typed_ids_that_name_nothing_are_said_to_name_nothing(driver: Driver) -> None:
    d = driver
    await cast(d)
    request = await posted(d)
    bob, alice = d.member(BOB).id, d.member(ALICE).id
    cases = [
        (ADA, f"/assign {request} {HUGE}", f"There is no mentor #{HUGE}."),
        (ADA, f"/assign {HUGE} {bob}", f"There is no request #{HUGE}."),
        (ADA, f"/assign 4242 {bob}", "There is no request #4242."),
        (ADA, f"/assign {request} 4242", "There is no mentor #4242."),
        (ADA, f"/assign {request} {alice}", "Alice is not an approved mentor."),
        (ADA, "/approve 4242", "There is no mentor #4242."),
        (BOB, "/claim abc", "There is no request #abc."),
        (BOB, "/claim 4242", "There is no request #4242."),
    ]
    wrong = []
    for person, line, expected in cases:
        before = d.snapshot()
        said = plain(await d.type(person, line))
        assert d.snapshot() == before, f"{line} changed something"
        if expected not in said or "become_mentor" in said or "no longer exists" in said:
            wrong.append(f"{line}: expected {expected!r}, told {said!r}")
    said = plain(await d.press(BOB, "cancel_session", "4242"))  # not a Slack sub-command
    if "There is no session #4242." not in said:
        wrong.append(f"cancel_session 4242: told {said!r}")
    assert not wrong, "\n".join(wrong)


async def test_a_repeated_assign_or_approve_tells_nobody_and_says_so(driver: Driver) -> None:
    d = driver
    await cast(d)
    request = await posted(d)
    bob = d.member(BOB).id
    first = plain(await d.type(ADA, f"/assign {request} {bob}"))
    assert "the mentor and the student are told" in first, first
    marks = {p.key: d.mark(p) for p in (ALICE, BOB)}
    before = d.snapshot()
    again = plain(await d.type(ADA, f"/assign {request} {bob}"))
    assert "nobody was told again" in again and "are told" not in again, again
    approved = plain(await d.type(ADA, f"/approve {bob}"))
    assert "Already approved; nobody was told again." in approved, approved
    assert d.snapshot() == before
    for p in (ALICE, BOB):
        assert d.since(p, marks[p.key]) == "", d.since(p, marks[p.key])


async def test_a_student_pressing_a_time_is_not_told_to_become_a_mentor(driver: Driver) -> None:
    """A forged press of Bob's time button (the console has no buttons to forge: its
    times are a numbered list in Bob's own chat)."""
    d = driver
    if d.name == "console":
        return
    await cast(d)
    request = await posted(d)
    await claimed(d, request)
    offered = d.shown(BOB, "book")[0]
    before = d.snapshot()
    said = plain(await d.press(ALICE, "book", *offered))
    assert "Only the mentor who claimed this request can schedule it." in said, said
    assert "become" not in said.lower()
    assert d.snapshot() == before


async def test_a_move_says_who_and_why_and_the_booked_time_again_does_nothing(
    driver: Driver,
) -> None:
    d = driver
    done = await booked(d)
    asked = plain(await d.press_shown(ALICE, "reschedule", (done.session,)))
    assert "Why are you moving it?" in asked or "Move the session" in asked, asked
    offer = plain(await d.answer(ALICE, MOVE_REASON))
    assert "Pick a time" in offer, offer
    plain(await d.pick_first(ALICE, MOVE))
    told = d.told(BOB)
    assert f'Moved by Alice: "{TITLE}" is now on ' in told, told
    assert f"Reason: {MOVE_REASON}" in told, told
    event = d.scalar(
        "SELECT reason FROM transition_events WHERE entity = 'session' "
        "AND from_status = 'SCHEDULED' AND to_status = 'SCHEDULED'"
    )
    assert event == MOVE_REASON

    # the same time pressed again (its button is still in the chat): nothing happens. The
    # console lists times as a numbered menu that a pick closes: nothing to press again.
    if d.name == "console":
        return
    (first,) = [args for args in d.shown(ALICE, MOVE) if args[0] == done.session][:1]
    marks = {p.key: d.mark(p) for p in (ALICE, BOB)}
    before = d.snapshot()
    said = plain(await d.press_shown(ALICE, MOVE, first))
    assert "That is already the time." in said, said
    assert d.snapshot() == before
    assert d.since(BOB, marks[BOB.key]) == ""
    assert "Moved" not in d.since(ALICE, marks[ALICE.key])


async def test_the_release_reason_reaches_the_student(driver: Driver) -> None:
    d = driver
    await cast(d)
    request = await posted(d)
    await claimed(d, request)
    asked = plain(await d.press(BOB, "release", request))
    assert "Why are you releasing it?" in asked or "Release the request" in asked, asked
    plain(await d.answer(BOB, RELEASE_REASON))
    told = d.told(ALICE)
    assert f'Bob released "{TITLE}" back to the queue. Reason: {RELEASE_REASON}.' in told, told


SPEC = RequestSpec(available_until=date(2026, 3, 31))
WARNED = datetime(2026, 3, 7, 8, 1, tzinfo=UTC)  # 48 hours before the 7 days are over
EXTENDED = "Mon 16 Mar 2026, 01:00 (America/Los_Angeles)"


async def test_extend_works_once_per_expiry_warning(driver: Driver) -> None:
    d = driver
    await cast(d)
    request = await posted(d, SPEC)
    await d.set_clock(WARNED)
    (button,) = d.shown(ALICE, "extend_once")
    assert button[0] == request
    first = plain(await d.press_shown(ALICE, "extend_once", button))
    assert EXTENDED in first, first
    before = d.snapshot()
    second = plain(await d.press_shown(ALICE, "extend_once", button))
    assert f"Already extended to {EXTENDED}." in second, second
    assert d.snapshot() == before


async def test_a_reapplying_approved_mentor_is_not_told_an_admin_will_review(
    driver: Driver,
) -> None:
    d = driver
    await cast(d)
    answers = ("Backend", "8", "I mentor.", "python; sql")
    said = plain(await d.apply_to_mentor(BOB, answers))
    assert "already an approved mentor" in said, said
    assert "An admin will review" not in said
    assert d.scalar(
        "SELECT status FROM mentor_profiles WHERE member_id = :i", i=d.member(BOB).id
    ) == ("APPROVED")


async def test_repost_of_a_no_show_request_does_not_call_it_active(driver: Driver) -> None:
    d = driver
    done = await booked(d)
    await d.set_clock(datetime(2026, 3, 5, 8, 0, tzinfo=UTC))  # after the session
    plain(await d.press(ALICE, "outcome", done.session, "mentor_no_show"))
    assert d.scalar("SELECT status FROM mentorship_requests") == "NO_SHOW"
    said = plain(await d.press(ALICE, "repost", done.request))
    assert "still active" not in said and "no-show" in said, said
