"""Records people can trust, on every front-end: a no-show report the other side
disputes and an admin settles, a mentor's notes that add up rather than replace each
other, and a finished request its student withdraws from every list."""

from __future__ import annotations

from datetime import timedelta

from tests.scenarios.driver import Driver
from tests.scenarios.people import ADA, ALICE, BOB
from tests.scenarios.story import ENDS, TITLE, booked, plain

FIRST_NOTE = "Strong on SQL joins"
SECOND_NOTE = "Follow up on system design"


async def test_a_disputed_no_show_is_settled_by_an_admin_and_notes_add_up(driver: Driver) -> None:
    d = driver
    done = await booked(d)
    await d.set_clock(ENDS + timedelta(minutes=1))

    said = plain(await d.press_shown(BOB, "outcome", (done.session, "student_no_show")))
    assert "the student did not come" in said, said
    assert "did not come" in d.told(ALICE)
    disputed = plain(await d.press_shown(ALICE, "dispute", (done.session,)))
    assert "you say it happened" in disputed, disputed
    again = plain(await d.press(ALICE, "dispute", done.session))
    assert "already said it happened" in again, again
    assert f'Alice says the session "{TITLE}"' in d.told(BOB)
    assert f'Alice says the session "{TITLE}"' in d.told(ADA)

    settled = plain(await d.press_shown(ADA, "settle", (done.session, "completed")))
    assert "settled as it happened" in settled, settled
    for person in (ALICE, BOB):
        assert "An admin settled" in d.told(person) and "it did happen" in d.told(person)
    assert d.scalar("SELECT status FROM mentorship_requests") == "COMPLETED"

    await _notes(d, done.session)


async def _notes(d: Driver, session: str) -> None:
    """Bob writes two notes; the second is added to the first, both read back in order."""
    asked = plain(await d.press(BOB, "notes", session))
    assert "none yet" in asked, asked
    saved = plain(await d.answer(BOB, FIRST_NOTE))
    assert "aved" in saved, saved
    shown = plain(await d.press(BOB, "notes", session))
    assert FIRST_NOTE in shown, shown
    await d.answer(BOB, SECOND_NOTE)
    both = plain(await d.press(BOB, "notes", session))
    assert FIRST_NOTE in both and SECOND_NOTE in both, both
    assert both.index(FIRST_NOTE) < both.index(SECOND_NOTE), both
    refused = plain(await d.press(ALICE, "notes", session))
    assert FIRST_NOTE not in refused and "Only the mentor" in refused, refused
    stored = d.scalar("SELECT mentor_notes FROM mentorship_sessions")
    assert stored == f"{FIRST_NOTE}\n\n{SECOND_NOTE}"
    assert d.scalar("SELECT count(*) FROM session_notes") == 2


async def test_a_student_withdraws_a_cancelled_request_from_every_list(driver: Driver) -> None:
    d = driver
    done = await booked(d)
    await d.cancel_session(ALICE, done.session, "Found help elsewhere")

    listed = plain(await d.press(ALICE, "my"))
    assert TITLE in listed, listed
    # a button on Telegram and Slack; an entry of the numbered menu on the console
    offered = (done.request,) in d.shown(ALICE, "withdraw") or f"Withdraw #{done.request}" in listed
    assert offered, listed
    withdrawn = plain(await d.press(ALICE, "withdraw", done.request))
    assert "withdrawn" in withdrawn, withdrawn
    assert TITLE not in plain(await d.press(ALICE, "my"))
    assert "no requests" in plain(await d.press(BOB, "my")).lower()
    # nothing is deleted: the rows stay, marked, and the admin can still read its history
    assert d.scalar("SELECT count(*) FROM mentorship_requests WHERE is_deleted") == 1
    assert d.scalar("SELECT count(*) FROM mentorship_sessions WHERE is_deleted") == 1
    history = plain(await d.press(ADA, "history", done.request))
    assert "cancelled" in history, history
