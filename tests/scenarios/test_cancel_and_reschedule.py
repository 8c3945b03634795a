"""Cancel and reschedule, on every front-end: the student moves the session to another
time (each person told the new time in their zone), then the mentor cancels it with a
reason that the student is told."""

from __future__ import annotations

from tests.scenarios.driver import MOVE, Driver
from tests.scenarios.people import ALICE, BOB
from tests.scenarios.story import TITLE, booked, plain

MOVED_BERLIN = "Tue 3 Mar 2026, 16:30 (Europe/Berlin)"
MOVED_LOS_ANGELES = "Tue 3 Mar 2026, 07:30 (America/Los_Angeles)"
REASON = "I caught the flu"
MOVE_REASON = "My exam moved"


async def test_student_reschedules_then_the_mentor_cancels_with_a_reason(driver: Driver) -> None:
    d = driver
    done = await booked(d)

    asked = plain(await d.press_shown(ALICE, "reschedule", (done.session,)))
    assert "Why are you moving it?" in asked or "Move the session" in asked, asked
    offer = plain(await d.answer(ALICE, MOVE_REASON))
    assert "Pick a time (America/Los_Angeles)" in offer, offer
    moved = plain(await d.pick_first(ALICE, MOVE))  # the first time that is not the current
    assert MOVED_LOS_ANGELES in moved, moved
    assert f'Moved by Alice: "{TITLE}" is now on {MOVED_BERLIN}.' in d.told(BOB)
    assert f"Reason: {MOVE_REASON}" in d.told(BOB)

    mark = d.mark(ALICE)
    said = plain(await d.cancel_session(BOB, done.session, REASON))
    assert "cancelled" in said, said
    told = d.since(ALICE, mark)
    assert f'"{TITLE}" was cancelled by Bob. Reason: {REASON}.' in told, told
    # the calendar cancellation reaches both: Alice with the news, Bob as its sender
    assert f"(attached mentorship-{done.session}.ics)" in told, told
    assert f"(attached mentorship-{done.session}.ics)" in d.told(BOB).rsplit("You cancelled", 1)[-1]
    assert d.outcome() == EXPECTED


EXPECTED = {
    "requests": [(TITLE, "CANCELLED", "Alice", "Bob", REASON, False, ["python"])],
    "sessions": [(TITLE, "CANCELLED", "2026-03-03 15:30", "Bob", "Alice", None, None, None)],
    "mentors": [("Bob", "APPROVED", ["python"]), ("Carol", "APPROVED", ["python"])],
    "notifications": [
        (("card_update", "SENT"), 3),  # claimed, scheduled, cancelled
        (("expiry_warning", "CANCELLED"), 1),
        (("mentor_applied", "SENT"), 2),
        (("mentor_approved", "SENT"), 2),
        (("mentor_nudge", "CANCELLED"), 1),
        (("outcome_prompt", "CANCELLED"), 4),  # for the first time, then for the new one
        (("reminder", "CANCELLED"), 8),  # a day and an hour before each time, to each
        (("request_cancelled", "SENT"), 1),  # (all cancelled with it: nothing was due yet)
        (("request_claimed", "SENT"), 1),
        (("request_matched", "SENT"), 2),
        (("request_posted", "SENT"), 1),
        (("session_cancelled", "SENT"), 1),  # to Bob, who cancelled: the .ics CANCEL
        (("session_rescheduled", "SENT"), 2),
        (("session_scheduled", "SENT"), 2),
    ],
    "transitions": [
        (("mentor", "PENDING", "APPROVED"), 2),
        (("mentor", None, "PENDING"), 2),
        (("request", "CLAIMED", "SCHEDULED"), 1),
        (("request", "OPEN", "CLAIMED"), 1),
        (("request", "SCHEDULED", "CANCELLED"), 1),
        (("request", None, "OPEN"), 1),
        (("session", "SCHEDULED", "CANCELLED"), 1),
        (("session", "SCHEDULED", "SCHEDULED"), 1),  # moved
        (("session", None, "SCHEDULED"), 1),
    ],
    "admins": ["Ada"],
}
