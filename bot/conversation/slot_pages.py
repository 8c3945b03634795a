"""Slots a page at a time, grouped by day, each in both people's local times.

A page holds whole days (of the chooser's zone) up to :data:`PAGE` slots; a day with
more slots than a page fills pages of its own. "More times" continues after the last
slot shown (an instant, not a page number, so a slot booked meanwhile shifts nothing).
Twelve buttons keep a Telegram keyboard readable and stay far inside Slack's 25
elements per actions block.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from itertools import groupby
from zoneinfo import ZoneInfo

from core.timefmt import short_time

PAGE = 12
NAME_ON_BUTTON = 16


def local_day(instant: datetime, zone: str) -> date:
    return instant.astimezone(ZoneInfo(zone)).date()


def page_of(
    slots: Sequence[datetime], zone: str, after: datetime | None
) -> tuple[list[datetime], int]:
    """The slots of the page that starts after ``after`` (None: the first page), and how
    many come later."""
    rest = [s for s in slots if after is None or s > after]
    shown: list[datetime] = []
    for _, day in groupby(rest, key=lambda s: local_day(s, zone)):
        times = list(day)
        if shown and len(shown) + len(times) > PAGE:
            break
        shown += times[: PAGE - len(shown)]
        if len(shown) >= PAGE:
            break
    return shown, len(rest) - len(shown)


def first_name(name: str) -> str:
    word = (name.split() or ["them"])[0]
    return word if len(word) <= NAME_ON_BUTTON else word[: NAME_ON_BUTTON - 1] + "…"


def slot_label(instant: datetime, zone: str, other: str, other_zone: str) -> str:
    """'Tue 3 Mar 09:00 · Alice 00:00'; the other side's day is named when it differs
    ('Tue 3 Mar 07:00 · Alice Mon 22:00')."""
    mine = short_time(instant, zone)
    theirs = instant.astimezone(ZoneInfo(other_zone))
    day = "" if theirs.date() == local_day(instant, zone) else f"{theirs:%a} "
    return f"{mine} · {first_name(other)} {day}{theirs:%H:%M}"


def day_lines(shown: Sequence[datetime], zone: str) -> list[str]:
    """One line per day of the page: 'Tue 3 Mar: 09:00, 09:30, 10:00'."""
    lines = []
    for day, times in groupby(shown, key=lambda s: local_day(s, zone)):
        clock = ", ".join(f"{t.astimezone(ZoneInfo(zone)):%H:%M}" for t in times)
        lines.append(f"{day:%a} {day.day} {day:%b}: {clock}")
    return lines
