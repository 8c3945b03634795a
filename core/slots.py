"""Which start times a mentor can offer for one request.

Weekly windows are wall-clock times in the mentor's zone; the student's date range is
in the student's zone. Both are turned into UTC instants before they meet, so a
Berlin mentor and a New York student agree on the same slots across either DST change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

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
    while day <= last:
        for window in sorted(windows, key=lambda w: w.start):
            if window.weekday == day.weekday():
                opens = datetime.combine(day, window.start, tzinfo=tz).astimezone(UTC)
                closes = datetime.combine(day, window.end, tzinfo=tz).astimezone(UTC)
                if opens < closes:
                    yield opens, closes
        day += timedelta(days=1)


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
) -> list[datetime]:
    """Sorted UTC start times inside a window, the student's range and not clashing."""
    range_start, range_end = local_day_bounds(available_from, available_until, student_zone)
    earliest = max(range_start, now + min_notice)
    found: set[datetime] = set()
    # Windows come day by day in order, so once ``limit`` slots are found (plus one day,
    # for windows that overlap across a DST fold) later days cannot be earlier.
    stop_after: datetime | None = None
    for opens, closes in _window_instants(windows, mentor_zone, range_start, range_end):
        if stop_after is not None and opens > stop_after:
            break
        slot = opens
        while slot + duration <= closes:
            ends = slot + duration
            clash = any(slot < b_end and b_start < ends for b_start, b_end in busy)
            if slot >= earliest and ends <= range_end and not clash:
                found.add(slot)
            slot += step
        if stop_after is None and len(found) >= limit:
            stop_after = closes + timedelta(days=1)
    return sorted(found)[:limit]
