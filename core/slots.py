"""Which start times a mentor can offer for one request.

Weekly windows are wall-clock times in the mentor's zone; the student's date range and
their own hours (mornings, evenings, typed windows) are in the student's zone. All are
turned into UTC instants before they meet, so a Berlin mentor and a New York student
agree on the same slots across either DST change, and neither is offered a time outside
what they stated (the mentor's windows, the student's hours).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.hours import DAY, DEFAULT_HOURS, HourRange
from core.mentors import AvailabilityWindow


def local_day_bounds(day_from: date, day_until: date, zone: str) -> tuple[datetime, datetime]:
    """From the start of ``day_from`` to the end of ``day_until`` in ``zone``, as UTC."""
    tz = ZoneInfo(zone)
    start = datetime.combine(day_from, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(day_until + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return start, end


def _window_instants(
    windows: Sequence[AvailabilityWindow], mentor_zone: str, start: datetime, end: datetime
) -> Iterable[tuple[datetime, datetime]]:
    tz = ZoneInfo(mentor_zone)
    day = start.astimezone(tz).date() - timedelta(days=1)
    last = end.astimezone(tz).date() + timedelta(days=1)
    in_order = sorted(windows, key=lambda w: w.start)
    while day <= last:
        for window in in_order:
            if window.weekday == day.weekday():
                opens = _at(day, _minutes(window.start), tz, closing=False)
                closes = _at(day, _minutes(window.end), tz, closing=True)
                if opens < closes:
                    yield opens, closes
        day += timedelta(days=1)


def _minutes(clock: time) -> int:
    return clock.hour * 60 + clock.minute


def _at(day: date, minutes: int, tz: ZoneInfo, *, closing: bool) -> datetime:
    """The instant the wall clock of ``day`` shows ``minutes`` after midnight (24:00: the
    next midnight). A time the clocks skip is the moment they jump past it; a time they
    show twice opens at its second reading and closes at its first. So every instant
    between an opening and a closing shows a wall-clock time inside what the person
    stated (never an hour they did not say)."""
    day += timedelta(days=minutes // DAY)
    local = datetime.combine(day, time((minutes % DAY) // 60, minutes % 60), tzinfo=tz)
    first, second = local.astimezone(UTC), local.replace(fold=1).astimezone(UTC)
    if first > second:  # skipped: the moment the clocks jump past it
        return _jump(second, first, local.replace(tzinfo=None), tz)
    return first if closing else second


def _jump(low: datetime, high: datetime, wall: datetime, tz: ZoneInfo) -> datetime:
    """The first whole minute in ``low``..``high`` whose wall clock reads ``wall`` or later
    (offsets change on whole minutes)."""
    lo, hi = 0, int((high - low).total_seconds() // 60)
    while lo < hi:
        mid = (lo + hi) // 2
        if (low + timedelta(minutes=mid)).astimezone(tz).replace(tzinfo=None) >= wall:
            hi = mid
        else:
            lo = mid + 1
    return low + timedelta(minutes=lo)


def hour_spans(
    hours: Sequence[HourRange], zone: str, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """The student's hours on every local day around ``start``..``end``, as sorted UTC
    spans; spans that touch are joined, so 22-24 and 00-02 make one night span."""
    tz = ZoneInfo(zone)
    first = start.astimezone(tz).date() - timedelta(days=1)
    last = end.astimezone(tz).date() + timedelta(days=1)
    return _joined(_day_spans(hours, tz, first, last))


def _day_spans(
    hours: Sequence[HourRange], tz: ZoneInfo, day: date, last: date
) -> list[tuple[datetime, datetime]]:
    spans: list[tuple[datetime, datetime]] = []
    while day <= last:
        for r in hours:
            opens, closes = _at(day, r.start, tz, closing=False), _at(day, r.end, tz, closing=True)
            if opens < closes:
                spans.append((opens, closes))
        day += timedelta(days=1)
    return spans


def _joined(spans: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    joined: list[tuple[datetime, datetime]] = []
    for opens, closes in sorted(spans):
        if joined and opens <= joined[-1][1]:
            before, until = joined.pop()
            opens, closes = before, max(until, closes)
        joined.append((opens, closes))
    return joined


class _StudentHours:
    """The student's hours as UTC spans, turned into instants only as far as they are
    asked about: ``limit`` slots are usually found in a range's first days, and the hours
    of every day of a seven-week range were a third of the slots' time (issue 14)."""

    def __init__(self, hours: Sequence[HourRange], zone: str, start: datetime) -> None:
        self._hours, self._tz = hours, ZoneInfo(zone)
        self._next = start.astimezone(self._tz).date() - timedelta(days=1)  # first not done
        self.spans: list[tuple[datetime, datetime]] = []
        self.covered = start  # every instant before this is settled

    def reach(self, until: datetime) -> None:
        """Settle every instant up to ``until`` (and a week beyond, for the next ask)."""
        last = until.astimezone(self._tz).date() + timedelta(days=7)
        if last < self._next:
            return
        self.spans = _joined(self.spans + _day_spans(self._hours, self._tz, self._next, last))
        self._next = last + timedelta(days=1)
        # the day after ``last`` may still join the last span (22-24 with 00-02)
        self.covered = datetime.combine(last, time(0), tzinfo=self._tz).astimezone(UTC)


_END_OF_TIME = datetime.max.replace(tzinfo=UTC)  # built once: _inside runs for every slot


def _inside(spans: list[tuple[datetime, datetime]], starts: datetime, ends: datetime) -> bool:
    at = bisect.bisect_right(spans, (starts, _END_OF_TIME)) - 1
    return at >= 0 and spans[at][0] <= starts and ends <= spans[at][1]


def compute_slots(
    *,
    windows: Sequence[AvailabilityWindow],
    mentor_zone: str,
    student_zone: str,
    available_from: date,
    available_until: date,
    duration: timedelta,
    busy: Sequence[tuple[datetime, datetime]],
    now: datetime,
    min_notice: timedelta,
    step: timedelta,
    limit: int = 200,
    student_hours: Sequence[HourRange] = DEFAULT_HOURS,
) -> list[datetime]:
    """Sorted UTC start times inside a mentor's window, the student's range and hours,
    at least ``min_notice`` ahead and clashing with nothing in ``busy``."""
    range_start, range_end = local_day_bounds(available_from, available_until, student_zone)
    earliest = max(range_start, now + min_notice)
    found: set[datetime] = set()
    student = _StudentHours(student_hours, student_zone, range_start)
    # Windows come day by day in order, so once ``limit`` slots are found (plus one day,
    # for windows that overlap across a DST fold) later days cannot be earlier.
    stop_after: datetime | None = None
    for opens, closes in _window_instants(windows, mentor_zone, range_start, range_end):
        if stop_after is not None and opens > stop_after:
            break
        if closes >= student.covered:
            student.reach(min(closes, range_end))
        slot = opens
        while slot + duration <= closes:
            ends = slot + duration
            clash = any(slot < b_end and b_start < ends for b_start, b_end in busy)
            fits = slot >= earliest and ends <= range_end and _inside(student.spans, slot, ends)
            if fits and not clash:
                found.add(slot)
            slot += step
        if stop_after is None and len(found) >= limit:
            stop_after = closes + timedelta(days=1)
    return sorted(found)[:limit]
