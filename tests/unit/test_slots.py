"""Which start times a mentor can offer: weekly windows meet the student's days, in UTC.

The DST tests use a mentor in Berlin and a student in New York across 2026's changes:
the US moves on 8 March and 1 November, the EU on 29 March and 25 October.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.hours import DAY, DEFAULT_HOURS, HourRange
from core.mentors import AvailabilityWindow
from core.slots import compute_slots, local_day_bounds

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
MONDAY, TUESDAY, SUNDAY = 0, 1, 6
EARLY = datetime(2026, 1, 1, tzinfo=UTC)
# a student who said any time of day suits them: the DST tests below are about instants,
# and some of those instants are at night for the student
ANY_TIME = (HourRange(0, DAY),)


def utc(year, month, day, hour, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def slots(
    windows,
    days,
    *,
    mentor_zone="UTC",
    student_zone="UTC",
    minutes=60,
    busy=(),
    now=EARLY,
    notice=timedelta(hours=2),
    step=timedelta(minutes=30),
    hours=DEFAULT_HOURS,
):
    return compute_slots(
        windows=[AvailabilityWindow(*w) for w in windows],
        mentor_zone=mentor_zone,
        student_zone=student_zone,
        available_from=days[0],
        available_until=days[1],
        duration=timedelta(minutes=minutes),
        busy=list(busy),
        now=now,
        min_notice=notice,
        step=step,
        student_hours=hours,
    )


def wall(instant, zone):
    return instant.astimezone(zone).strftime("%a %d %b %H:%M")


# ------------------------------------------------------------------ the basics

MONDAY_18_20 = (MONDAY, time(18), time(20))
FIRST_WEEK = (date(2026, 3, 2), date(2026, 3, 8))


def test_a_weekly_window_offers_every_half_hour_start_that_fits_the_duration():
    assert slots([MONDAY_18_20], FIRST_WEEK) == [
        utc(2026, 3, 2, 18),
        utc(2026, 3, 2, 18, 30),
        utc(2026, 3, 2, 19),
    ]


def test_the_window_repeats_every_week_of_the_students_range():
    found = slots([MONDAY_18_20], (date(2026, 3, 2), date(2026, 3, 16)), minutes=120)
    assert found == [utc(2026, 3, 2, 18), utc(2026, 3, 9, 18), utc(2026, 3, 16, 18)]


def test_a_slot_must_end_inside_the_window():
    one_hour = [(MONDAY, time(18), time(19))]
    assert slots(one_hour, FIRST_WEEK, minutes=45) == [utc(2026, 3, 2, 18)]
    assert slots(one_hour, FIRST_WEEK, minutes=60) == [utc(2026, 3, 2, 18)]
    assert slots([(MONDAY, time(18), time(18, 30))], FIRST_WEEK, minutes=45) == []


def test_no_slot_starts_sooner_than_the_minimum_notice():
    found = slots([MONDAY_18_20], FIRST_WEEK, now=utc(2026, 3, 2, 16, 15))
    assert found == [utc(2026, 3, 2, 18, 30), utc(2026, 3, 2, 19)]


def test_a_window_that_has_passed_offers_nothing():
    assert slots([MONDAY_18_20], FIRST_WEEK, now=utc(2026, 3, 2, 21)) == []


def test_days_outside_the_students_range_offer_nothing():
    assert slots([MONDAY_18_20], (date(2026, 3, 3), date(2026, 3, 8))) == []


def test_a_busy_session_removes_every_slot_that_would_overlap_it():
    busy = [(utc(2026, 3, 2, 18, 30), utc(2026, 3, 2, 19))]
    assert slots([MONDAY_18_20], FIRST_WEEK, busy=busy) == [utc(2026, 3, 2, 19)]


def test_a_session_ending_as_a_slot_starts_does_not_block_it():
    busy = [(utc(2026, 3, 2, 17), utc(2026, 3, 2, 18))]
    assert slots([MONDAY_18_20], FIRST_WEEK, busy=busy)[0] == utc(2026, 3, 2, 18)


def test_overlapping_windows_do_not_offer_a_start_twice():
    found = slots([MONDAY_18_20, (MONDAY, time(19), time(21))], FIRST_WEEK)
    assert found == sorted(set(found))
    assert len(found) == 5  # 18:00 to 20:00, every half hour


def test_the_students_range_is_read_in_the_students_zone():
    # Tuesday 01:00-03:00 UTC is Monday evening in New York: a student free on Monday
    # 2 March (their time) gets those slots, and none from Tuesday night.
    tuesday_night_utc = [(TUESDAY, time(1), time(3))]
    found = slots(
        tuesday_night_utc, (date(2026, 3, 2), date(2026, 3, 2)), student_zone="America/New_York"
    )
    assert found == [utc(2026, 3, 3, 1), utc(2026, 3, 3, 1, 30), utc(2026, 3, 3, 2)]
    assert [wall(s, NEW_YORK) for s in found] == [
        "Mon 02 Mar 20:00",
        "Mon 02 Mar 20:30",
        "Mon 02 Mar 21:00",
    ]


# ------------------------------------------------------------------ DST, in spring

MONDAY_EVENING_BERLIN = [MONDAY_18_20]


def berlin_to_new_york(days):
    return slots(
        MONDAY_EVENING_BERLIN,
        days,
        mentor_zone="Europe/Berlin",
        student_zone="America/New_York",
        minutes=120,
    )


def test_a_berlin_evening_stays_at_18_00_berlin_time_across_the_spring_changes():
    found = berlin_to_new_york((date(2026, 3, 2), date(2026, 4, 6)))
    assert found == [
        utc(2026, 3, 2, 17),  # both on winter time
        utc(2026, 3, 9, 17),  # New York moved on 8 March, Berlin has not
        utc(2026, 3, 16, 17),
        utc(2026, 3, 23, 17),
        utc(2026, 3, 30, 16),  # Berlin moved on 29 March
        utc(2026, 4, 6, 16),
    ]
    assert {s.astimezone(BERLIN).strftime("%A %H:%M") for s in found} == {"Monday 18:00"}


def test_the_new_york_student_sees_the_gap_shrink_for_three_weeks_in_march():
    found = berlin_to_new_york((date(2026, 3, 2), date(2026, 3, 30)))
    assert [wall(s, NEW_YORK) for s in found] == [
        "Mon 02 Mar 12:00",
        "Mon 09 Mar 13:00",
        "Mon 16 Mar 13:00",
        "Mon 23 Mar 13:00",
        "Mon 30 Mar 12:00",
    ]


def test_a_berlin_evening_stays_at_18_00_berlin_time_across_the_autumn_changes():
    found = berlin_to_new_york((date(2026, 10, 19), date(2026, 11, 2)))
    assert found == [
        utc(2026, 10, 19, 16),  # both on summer time
        utc(2026, 10, 26, 17),  # Berlin moved back on 25 October, New York has not
        utc(2026, 11, 2, 17),  # New York moved back on 1 November
    ]
    assert [wall(s, BERLIN) for s in found] == [
        "Mon 19 Oct 18:00",
        "Mon 26 Oct 18:00",
        "Mon 02 Nov 18:00",
    ]
    assert [wall(s, NEW_YORK) for s in found] == [
        "Mon 19 Oct 12:00",
        "Mon 26 Oct 13:00",
        "Mon 02 Nov 12:00",
    ]


def test_the_students_days_follow_new_yorks_offset_on_both_sides_of_a_change():
    start, end = local_day_bounds(date(2026, 3, 7), date(2026, 3, 8), "America/New_York")
    assert start == utc(2026, 3, 7, 5)  # midnight EST
    assert end == utc(2026, 3, 9, 4)  # midnight EDT
    spring_day = local_day_bounds(date(2026, 3, 8), date(2026, 3, 8), "America/New_York")
    autumn_day = local_day_bounds(date(2026, 11, 1), date(2026, 11, 1), "America/New_York")
    assert spring_day[1] - spring_day[0] == timedelta(hours=23)
    assert autumn_day[1] - autumn_day[0] == timedelta(hours=25)


def test_a_slot_after_midnight_new_york_summer_time_is_outside_a_range_ending_that_sunday():
    # Monday 04:30-06:00 in Berlin (still CET) is 03:30-05:00 UTC on 9 March, which is
    # Sunday 23:30 to Monday 01:00 in New York (already EDT).
    window = [(MONDAY, time(4, 30), time(6))]
    found = slots(
        window,
        (date(2026, 3, 2), date(2026, 3, 8)),
        mentor_zone="Europe/Berlin",
        student_zone="America/New_York",
        minutes=30,
        hours=ANY_TIME,  # 23:30 in New York: this student said any time suits them
    )
    # Had New York's winter offset been used, midnight would be 05:00 UTC and 04:00 and
    # 04:30 UTC (00:00 and 00:30 on Monday in New York) would wrongly be offered.
    assert found == [utc(2026, 3, 9, 3, 30)]
    assert wall(found[0], NEW_YORK) == "Sun 08 Mar 23:30"


# ------------------------------------------------------------------ the skipped and doubled hours

NIGHT_WINDOW = [(SUNDAY, time(1), time(4))]


def night_slots(sunday):
    return slots(
        NIGHT_WINDOW,
        (sunday - timedelta(days=1), sunday),
        mentor_zone="Europe/Berlin",
        student_zone="America/New_York",
        minutes=30,
        hours=ANY_TIME,  # the October slots run to 22:30 in New York
    )


def test_a_window_over_the_skipped_hour_offers_only_real_instants_once_each():
    found = night_slots(date(2026, 3, 29))  # 02:00-03:00 does not exist in Berlin
    assert found == [
        utc(2026, 3, 29, 0),
        utc(2026, 3, 29, 0, 30),
        utc(2026, 3, 29, 1),
        utc(2026, 3, 29, 1, 30),
    ]
    assert [s.astimezone(BERLIN).strftime("%H:%M %Z") for s in found] == [
        "01:00 CET",
        "01:30 CET",
        "03:00 CEST",
        "03:30 CEST",
    ]
    for slot in found:  # each one exists: Berlin wall time maps back to the same instant
        local = slot.astimezone(BERLIN).replace(tzinfo=None)
        assert local.replace(tzinfo=BERLIN).astimezone(UTC) == slot


def test_a_window_over_the_doubled_hour_offers_each_real_instant_once():
    found = night_slots(date(2026, 10, 25))  # 02:00-03:00 happens twice in Berlin
    assert len(found) == 8 == len(set(found))  # 01:00 CEST to 04:00 CET is four real hours
    assert found[0] == utc(2026, 10, 24, 23)
    assert found[-1] == utc(2026, 10, 25, 2, 30)
    walls = [s.astimezone(BERLIN).strftime("%H:%M %Z") for s in found]
    assert walls.count("02:00 CEST") == walls.count("02:00 CET") == 1


def test_the_offered_list_is_sorted_and_capped():
    many = compute_slots(
        windows=[AvailabilityWindow(d, time(0), time(23, 30)) for d in range(7)],
        mentor_zone="UTC",
        student_zone="UTC",
        available_from=date(2026, 3, 2),
        available_until=date(2026, 3, 30),
        duration=timedelta(minutes=30),
        busy=[],
        now=EARLY,
        min_notice=timedelta(hours=2),
        step=timedelta(minutes=30),
        limit=10,
        student_hours=ANY_TIME,
    )
    assert many == sorted(many)
    assert len(many) == 10
    assert many[0] == utc(2026, 3, 2, 0)


# ------------------------------------------------------------------ the student's own hours

WHOLE_DAY = [(d, time(0), time(23, 59)) for d in range(7)]


def test_by_default_no_slot_falls_at_night_for_a_los_angeles_student():
    # a Berlin mentor free all day; the student stated dates only (the form's default)
    found = slots(
        WHOLE_DAY, FIRST_WEEK, mentor_zone="Europe/Berlin", student_zone="America/Los_Angeles"
    )
    local = [s.astimezone(ZoneInfo("America/Los_Angeles")) for s in found]
    assert local and all(t.hour >= 7 and (t + timedelta(hours=1)).hour <= 22 for t in local)
    assert min(t.strftime("%H:%M") for t in local) == "07:00"
    assert max(t.strftime("%H:%M") for t in local) == "21:00"  # ends at 22:00


def test_only_the_periods_the_student_picked_are_offered():
    evenings = (HourRange(17 * 60, 22 * 60),)
    found = slots(WHOLE_DAY, FIRST_WEEK, student_zone="America/New_York", hours=evenings)
    starts = {s.astimezone(NEW_YORK).strftime("%H:%M") for s in found}
    assert starts == {f"{h:02d}:{m:02d}" for h in range(17, 21) for m in (0, 30)} | {"21:00"}


def test_a_student_who_says_22_to_02_is_offered_times_across_midnight():
    night = (HourRange(0, 2 * 60), HourRange(22 * 60, DAY))
    found = slots(WHOLE_DAY, (date(2026, 3, 3), date(2026, 3, 3)), hours=night)
    assert utc(2026, 3, 3, 23, 30) not in found  # would end at 00:30 on the 4th: out of range
    assert utc(2026, 3, 3, 22, 30) in found
    assert utc(2026, 3, 3, 0, 30) in found
    assert utc(2026, 3, 3, 1, 30) not in found  # would end at 02:30
    assert utc(2026, 3, 3, 12) not in found


def test_a_window_opening_in_the_doubled_hour_offers_no_time_the_clock_shows_before_it():
    # Sunday 25 October 2026, Berlin: 02:00-03:00 happens twice. A window from 02:30 must
    # not offer 01:00 UTC, which the clock shows as 02:00 (the second time round).
    found = slots(
        [(SUNDAY, time(2, 30), time(5))],
        (date(2026, 10, 24), date(2026, 10, 25)),
        mentor_zone="Europe/Berlin",
        minutes=30,
        hours=ANY_TIME,
    )
    walls = [s.astimezone(BERLIN).strftime("%H:%M %Z") for s in found]
    assert walls[0] == "02:30 CET" and all(w >= "02:30" for w in walls), walls


def test_student_hours_ending_in_the_skipped_hour_end_when_the_clocks_jump():
    # Sunday 8 March 2026, New York: 02:00-03:00 does not exist. Hours 00:00-02:30 end at
    # the jump (07:00 UTC, 03:00 EDT): no slot may reach 03:00 or later on the clock.
    found = slots(
        WHOLE_DAY,
        (date(2026, 3, 8), date(2026, 3, 8)),
        student_zone="America/New_York",
        minutes=30,
        hours=(HourRange(0, 150),),
    )
    assert found and max(found) + timedelta(minutes=30) <= utc(2026, 3, 8, 7)
    assert {s.astimezone(NEW_YORK).strftime("%H:%M") for s in found} >= {"00:00", "01:30"}
