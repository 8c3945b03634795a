"""Request → claim → schedule → reminders → outcome → rating, on every front-end.

The same steps through Telegram, Slack and the console (each on SQLite and PostgreSQL)
must reach the same domain outcome (``EXPECTED``) and tell each person the same key
sentences, each in their own time zone.
"""

from __future__ import annotations

from datetime import timedelta

from tests.scenarios.cross_driver import CrossDriver
from tests.scenarios.driver import Driver
from tests.scenarios.people import ALICE, BOB
from tests.scenarios.story import AT_BERLIN, AT_LOS_ANGELES, ENDS, STARTS, TITLE, booked, plain

FEEDBACK = "Clear and practical, thank you!"


async def test_request_claim_schedule_reminders_outcome_rating(driver: Driver) -> None:
    await request_to_rating(driver)


async def test_student_on_telegram_mentors_on_slack_reach_the_same_outcome(
    cross: CrossDriver,
) -> None:
    """The same journey with Alice on Telegram and Bob, Carol and Ada on Slack, over one
    database: each is told on their own platform, and the outcome is the same."""
    await request_to_rating(cross)
    assert any("Good news: Bob will mentor you" in c.text for c in cross.telegram.h.fake.calls)
    slack_dms = [
        c for c in cross.slack.h.fake.named("chat.postMessage") if c.channel == BOB.slack_id
    ]
    assert any("Did your session" in c.text for c in slack_dms)


async def request_to_rating(d: Driver) -> None:
    done = await booked(d)

    await d.set_clock(STARTS - timedelta(hours=24))
    for person, when in ((ALICE, AT_LOS_ANGELES), (BOB, AT_BERLIN)):
        assert f'Reminder: "{TITLE}" starts in 24 hours, on {when}.' in d.told(person)

    await d.set_clock(STARTS - timedelta(hours=1))
    for person, when in ((ALICE, AT_LOS_ANGELES), (BOB, AT_BERLIN)):
        assert f'Reminder: "{TITLE}" starts in 1 hour, on {when}.' in d.told(person)

    await d.set_clock(ENDS + timedelta(minutes=1))
    for person, when in ((ALICE, AT_LOS_ANGELES), (BOB, AT_BERLIN)):
        assert f'Did your session "{TITLE}" on {when} happen?' in d.told(person)

    said = plain(await d.press_shown(ALICE, "outcome", (done.session, "completed")))
    assert "ecorded" in said and "completed" in said, said
    assert f'How was "{TITLE}" with Bob?' in d.told(ALICE)
    assert f'Thanks for mentoring "{TITLE}"' in d.told(BOB)

    rated = plain(await d.press_shown(ALICE, "rate", (done.session, "5")))
    assert "Thank you for rating" in rated, rated
    thanks = plain(await d.answer(ALICE, FEEDBACK))
    assert "Thank you" in thanks and "feedback" in thanks, thanks

    await d.set_clock(ENDS + timedelta(hours=25))  # rated: no gentle reminder
    assert "(a gentle reminder)" not in d.told(ALICE)
    assert d.outcome() == EXPECTED


EXPECTED = {
    "requests": [(TITLE, "COMPLETED", "Alice", "Bob", None, False, ["python"])],
    "sessions": [(TITLE, "COMPLETED", "2026-03-03 15:00", "Bob", "Alice", 5, FEEDBACK, None)],
    "mentors": [("Bob", "APPROVED", ["python"]), ("Carol", "APPROVED", ["python"])],
    "notifications": [
        (("card_update", "SENT"), 2),  # claimed, then scheduled
        (("expiry_warning", "CANCELLED"), 1),  # claimed in time
        (("mentor_applied", "SENT"), 2),
        (("mentor_approved", "SENT"), 2),
        (("mentor_notes_prompt", "SENT"), 1),
        (("mentor_nudge", "CANCELLED"), 1),  # Bob booked at once
        (("outcome_prompt", "SENT"), 2),
        (("rating_prompt", "SENT"), 1),
        (("rating_reminder", "CANCELLED"), 1),  # she rated
        (("reminder", "SENT"), 4),  # a day and an hour before, to each
        (("request_claimed", "SENT"), 1),
        (("request_matched", "SENT"), 2),  # Bob's and Carol's tags
        (("request_posted", "SENT"), 1),
        (("session_scheduled", "SENT"), 2),
    ],
    "transitions": [
        (("mentor", "PENDING", "APPROVED"), 2),
        (("mentor", None, "PENDING"), 2),
        (("request", "CLAIMED", "SCHEDULED"), 1),
        (("request", "OPEN", "CLAIMED"), 1),
        (("request", "SCHEDULED", "COMPLETED"), 1),
        (("request", None, "OPEN"), 1),
        (("session", "SCHEDULED", "COMPLETED"), 1),
        (("session", None, "SCHEDULED"), 1),
    ],
    "admins": ["Ada"],
}


async def test_each_side_is_shown_only_the_outcomes_it_may_report(driver: Driver) -> None:
    """Did it happen? The student cannot say she did not come, nor the mentor that he did
    not; neither is offered that button, and a forged press of it changes nothing."""
    d = driver
    done = await booked(d)
    await d.set_clock(ENDS + timedelta(minutes=1))
    for person, other_side, own_side in (
        (ALICE, "mentor_no_show", "student_no_show"),
        (BOB, "student_no_show", "mentor_no_show"),
    ):
        before = d.snapshot()
        refused = plain(await d.press(person, "outcome", done.session, own_side))
        assert "cannot report that outcome" in refused, refused
        assert d.snapshot() == before
        shown = {args[1] for args in d.shown(person, "outcome") if args[0] == done.session}
        assert shown == {"completed", other_side}, f"{person.name} was offered {shown}"
