"""Slots, as a property: whatever the windows, zones, hours, dates and sessions, no slot
falls outside either person's stated hours, none overlaps either person's sessions, and
every slot lies inside the student's dates and the mentor's windows.

Dates cluster around the weeks the US and EU clocks change (2026 and 2027), with zones
on both sides of them (and half-hour and 45-minute offsets), because that is where a
wall-clock time skips, repeats, or means another instant than a week before. Each
property is checked against the wall clock, sampled every five minutes of the slot, not
against the way ``compute_slots`` computes it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.hours import DAY, DEFAULT_HOURS, HourRange, merge
from core.mentors import AvailabilityWindow
from core.slots import (
    _inside,
    _window_instants,
    compute_slots,
    hour_spans,
    local_day_bounds,
)

ZONES = (
    "UTC",
    "America/Los_Angeles",
    "America/New_York",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Berlin",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Chatham",
)
CLOCK_CHANGES = (  # US spring and autumn, EU spring and autumn
    date(2026, 3, 8),
    date(2026, 11, 1),
    date(2026, 3, 29),
    date(2026, 10, 25),
    date(2027, 3, 14),
    date(2027, 11, 7),
    date(2027, 3, 28),
    date(2027, 10, 31),
)
SAMPLE = timedelta(minutes=5)
NOTICE = timedelta(hours=2)


def clock(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


@st.composite
def windows(draw: st.DrawFn) -> list[AvailabilityWindow]:
    found = []
    for _ in range(draw(st.integers(1, 8))):
        start = draw(st.integers(0, 95)) * 15
        end = draw(st.integers(start // 15 + 1, 96)) * 15
        end = min(end, DAY - 1)  # a window ends by 23:59
        if end > start:
            found.append(AvailabilityWindow(draw(st.integers(0, 6)), clock(start), clock(end)))
    return found


@st.composite
def hours(draw: st.DrawFn) -> tuple[HourRange, ...]:
    if draw(st.booleans()):
        return DEFAULT_HOURS  # the form's default: mornings, afternoons and evenings
    ranges = []
    for _ in range(draw(st.integers(1, 3))):
        start = draw(st.integers(0, 47)) * 30
        end = draw(st.integers(start // 30 + 1, 48)) * 30
        ranges.append(HourRange(start, end))
    return merge(ranges)


@st.composite
def first_days(draw: st.DrawFn) -> date:
    if draw(st.booleans()):
        return draw(st.sampled_from(CLOCK_CHANGES)) + timedelta(days=draw(st.integers(-4, 2)))
    return draw(st.dates(date(2026, 1, 1), date(2027, 12, 31)))


@st.composite
def sessions(draw: st.DrawFn, around: datetime) -> list[tuple[datetime, datetime]]:
    found = []
    for _ in range(draw(st.integers(0, 4))):
        start = around + timedelta(minutes=15 * draw(st.integers(-8, 4 * 24 * 8)))
        found.append((start, start + timedelta(minutes=draw(st.sampled_from((30, 45, 60, 90))))))
    return found


def local_minutes(instant: datetime, zone: str) -> int:
    wall = instant.astimezone(ZoneInfo(zone))
    return wall.hour * 60 + wall.minute


def samples(start: datetime, end: datetime) -> list[datetime]:
    """Every five minutes of the slot, and its last minute."""
    found, at = [], start
    while at < end:
        found.append(at)
        at += SAMPLE
    return [*found, end - timedelta(minutes=1)]


def in_student_hours(instant: datetime, zone: str, stated: tuple[HourRange, ...]) -> bool:
    minute = local_minutes(instant, zone)
    return any(r.start <= minute < r.end for r in stated)


def in_mentor_windows(instant: datetime, zone: str, stated: list[AvailabilityWindow]) -> bool:
    wall = instant.astimezone(ZoneInfo(zone))
    minute = wall.hour * 60 + wall.minute
    return any(
        w.weekday == wall.weekday()
        and w.start.hour * 60 + w.start.minute <= minute < w.end.hour * 60 + w.end.minute
        for w in stated
    )


# who meets whom, and from when: what both slot properties draw alike
PEOPLE_AND_DATES = {
    "mentor_windows": windows(),
    "mentor_zone": st.sampled_from(ZONES),
    "student_zone": st.sampled_from(ZONES),
    "student_hours": hours(),
    "first": first_days(),
}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    **PEOPLE_AND_DATES,
    days=st.integers(0, 8),
    minutes=st.sampled_from((30, 45, 60)),
    step=st.sampled_from((15, 30)),
    data=st.data(),
)
def test_no_slot_falls_outside_what_either_person_stated(
    mentor_windows: list[AvailabilityWindow],
    mentor_zone: str,
    student_zone: str,
    student_hours: tuple[HourRange, ...],
    first: date,
    days: int,
    minutes: int,
    step: int,
    data: st.DataObject,
) -> None:
    last = first + timedelta(days=days)
    midnight = datetime.combine(first, time(0), tzinfo=UTC)
    now = midnight + timedelta(hours=data.draw(st.integers(-48, 30)))
    mentor_busy = data.draw(sessions(midnight))
    student_busy = data.draw(sessions(midnight))
    duration = timedelta(minutes=minutes)

    found = compute_slots(
        windows=mentor_windows,
        mentor_zone=mentor_zone,
        student_zone=student_zone,
        available_from=first,
        available_until=last,
        duration=duration,
        busy=[*mentor_busy, *student_busy],
        now=now,
        min_notice=NOTICE,
        step=timedelta(minutes=step),
        student_hours=student_hours,
    )

    assert found == sorted(set(found))
    student_tz = ZoneInfo(student_zone)
    for start in found:
        end = start + duration
        assert start >= now + NOTICE
        assert first <= start.astimezone(student_tz).date()
        assert (end - timedelta(microseconds=1)).astimezone(student_tz).date() <= last
        for instant in samples(start, end):
            assert in_student_hours(instant, student_zone, student_hours), (start, instant)
            assert in_mentor_windows(instant, mentor_zone, mentor_windows), (start, instant)
        for busy_start, busy_end in (*mentor_busy, *student_busy):
            assert end <= busy_start or busy_end <= start, (start, busy_start)


@settings(max_examples=100, deadline=None)
@given(zone=st.sampled_from(ZONES), first=first_days(), days=st.integers(0, 8))
def test_a_student_who_states_nothing_is_never_offered_a_time_at_night(
    zone: str, first: date, days: int
) -> None:
    """A mentor free around the clock, a student with the form's default hours: every
    slot starts at 07:00 or later and ends by 22:00 in the student's zone."""
    found = compute_slots(
        windows=[AvailabilityWindow(d, time(0), time(23, 59)) for d in range(7)],
        mentor_zone="UTC",
        student_zone=zone,
        available_from=first,
        available_until=first + timedelta(days=days),
        duration=timedelta(minutes=60),
        busy=[],
        now=datetime(2025, 1, 1, tzinfo=UTC),
        min_notice=NOTICE,
        step=timedelta(minutes=30),
    )
    assert found
    for start in found:
        assert local_minutes(start, zone) >= 7 * 60
        end = start + timedelta(minutes=60) - timedelta(minutes=1)
        assert local_minutes(end, zone) < 22 * 60


def slots_by_the_whole_range(
    *,
    windows: list[AvailabilityWindow],
    mentor_zone: str,
    student_zone: str,
    available_from: date,
    available_until: date,
    duration: timedelta,
    busy: list[tuple[datetime, datetime]],
    now: datetime,
    min_notice: timedelta,
    step: timedelta,
    limit: int,
    student_hours: tuple[HourRange, ...],
) -> list[datetime]:
    """``compute_slots`` as it was before it settled the student's hours lazily: every
    day's hours first, then the windows (the reference it must agree with)."""
    start, end = local_day_bounds(available_from, available_until, student_zone)
    spans = hour_spans(student_hours, student_zone, start, end)
    earliest = max(start, now + min_notice)
    found: set[datetime] = set()
    stop_after = None
    for opens, closes in _window_instants(windows, mentor_zone, start, end):
        if stop_after is not None and opens > stop_after:
            break
        slot = opens
        while slot + duration <= closes:
            ends = slot + duration
            clash = any(slot < b_end and b_start < ends for b_start, b_end in busy)
            if slot >= earliest and ends <= end and _inside(spans, slot, ends) and not clash:
                found.add(slot)
            slot += step
        if stop_after is None and len(found) >= limit:
            stop_after = closes + timedelta(days=1)
    return sorted(found)[:limit]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    **PEOPLE_AND_DATES,
    days=st.integers(0, 70),
    minutes=st.sampled_from((30, 45, 60, 120)),
    limit=st.sampled_from((1, 5, 40, 200)),
    data=st.data(),
)
def test_settling_the_hours_as_the_windows_reach_them_finds_the_same_slots(
    mentor_windows: list[AvailabilityWindow],
    mentor_zone: str,
    student_zone: str,
    student_hours: tuple[HourRange, ...],
    first: date,
    days: int,
    minutes: int,
    limit: int,
    data: st.DataObject,
) -> None:
    """Long ranges, night hours that join across midnight, few or many slots wanted: the
    slots are exactly those the whole range's hours give (issue 14's shortcut)."""
    midnight = datetime.combine(first, time(0), tzinfo=UTC)
    given = {
        "windows": mentor_windows,
        "mentor_zone": mentor_zone,
        "student_zone": student_zone,
        "available_from": first,
        "available_until": first + timedelta(days=days),
        "duration": timedelta(minutes=minutes),
        "busy": data.draw(sessions(midnight)),
        "now": midnight + timedelta(hours=data.draw(st.integers(-48, 30))),
        "min_notice": NOTICE,
        "step": timedelta(minutes=30),
        "limit": limit,
        "student_hours": student_hours,
    }
    assert compute_slots(**given) == slots_by_the_whole_range(**given)
