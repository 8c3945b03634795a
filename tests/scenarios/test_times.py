"""Times that suit both people, on every front-end.

Alice (Los Angeles) states dates only, so the form's default hours hold (07:00-22:00 her
time); Bob (Berlin) is free 08:00-20:00 his time. Every time he is offered is daytime for
her (before, 6 of 10 bookings put her between midnight and 02:30), a page at a time,
one day after another, each shown in both zones.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.scenarios.driver import BOOK, Driver
from tests.scenarios.people import ALICE, BOB
from tests.scenarios.story import STARTS, TITLE, booked, cast, plain, posted

LOS_ANGELES = ZoneInfo(ALICE.zone)
BOTH_ZONES = "Pick a time (Europe/Berlin); after the dot, Alice's time (America/Los_Angeles)."


async def more_times(d: Driver) -> str:
    """The offer's "More times" button (the console numbers it in the menu)."""
    shown = d.shown(BOB, "more_times")
    if shown:
        return await d.press_shown(BOB, "more_times", shown[-1])
    menu = re.findall(r"(\d+)\. More times", d.told(BOB))
    assert menu, d.told(BOB)
    return await d.type(BOB, menu[-1])


async def test_the_mentor_is_offered_only_her_daytime_a_day_per_page(driver: Driver) -> None:
    d = driver
    await cast(d)
    request = await posted(d)
    won = plain(await d.press_shown(BOB, "claim", (request,)))
    assert BOTH_ZONES in won, won
    # 16:00-19:00 in Berlin is 07:00-10:00 for her; Wednesday's seven wait for the next page
    assert "Tue 3 Mar: 16:00, 16:30, 17:00, 17:30, 18:00, 18:30, 19:00\n" in won, won
    assert "21 more times: press More times." in won, won
    if d.name == "console":  # the buttons are printed: each slot in both zones
        assert "1. Tue 3 Mar 16:00 · Alice 07:00" in won, won
    offered = [datetime.fromtimestamp(int(a[1]), UTC) for a in d.shown(BOB, BOOK)]
    assert all(s.astimezone(LOS_ANGELES).hour >= 7 for s in offered), offered
    assert not offered or offered[0] == STARTS

    said = plain(await more_times(d))
    assert "Wed 4 Mar: 16:00, 16:30, 17:00, 17:30, 18:00, 18:30, 19:00\n" in said, said
    assert "14 more times" in said and "Tue 3 Mar:" not in said, said


async def test_a_day_before_reminder_sent_late_says_the_time_really_left(driver: Driver) -> None:
    """Nothing ran from the booking until two hours before the start (the bot was down):
    the day-before reminder still goes out, and says "in 2 hours", not "in 24 hours"."""
    d = driver
    await booked(d)
    await d.set_clock(STARTS - timedelta(hours=2))
    for person in (ALICE, BOB):
        told = d.told(person)
        assert f'Reminder: "{TITLE}" starts in 2 hours' in told, told
        assert "starts in 24 hours" not in told
