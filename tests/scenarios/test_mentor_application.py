"""Mentor application → approval → availability, on every front-end: Dave (Tokyo)
applies (questions one at a time on Telegram and the console, a modal on Slack), types
his tags separated by ';' as people do, the admin approves him from the notification's
button, and he adds a weekly window in his zone (a typed command, or the Home tab's
availability modal on Slack)."""

from __future__ import annotations

from tests.scenarios.driver import Driver
from tests.scenarios.people import ADA, DAVE
from tests.scenarios.story import plain

ANSWERS = ("Frontend <web> & mobile", "4", "I build UIs.", "javascript; react")


async def test_apply_get_approved_add_availability(driver: Driver) -> None:
    d = driver
    await d.register(ADA)
    await d.register(DAVE)
    applied = plain(await d.apply_to_mentor(DAVE, ANSWERS))
    assert "An admin will review your application" in applied, applied
    assert "Dave applied to be a mentor." in d.told(ADA)
    dave = str(d.member(DAVE).id)

    approved = plain(await d.press_shown(ADA, "approve", (dave,)))
    assert f"Mentor {dave}" in approved and "approved" in approved, approved
    assert "You are approved as a mentor. Welcome!" in d.told(DAVE)
    profile = d.scalar(
        "SELECT status || ' ' || domain || ' ' || years_experience FROM mentor_profiles"
    )
    assert profile == "APPROVED Frontend <web> & mobile 4"
    assert d.outcome()["mentors"] == [("Dave", "APPROVED", ["javascript", "react"])]

    added = plain(await d.add_window(DAVE, "Monday", "18:00", "20:00"))
    assert "18:00-20:00" in added and "Asia/Tokyo" in added, added
    window = d.scalar("SELECT weekday || ' ' || start_time FROM availability_windows")
    assert str(window).startswith("0 18:00"), window
