"""The student's own hours: what the form accepts, how it is stored and shown."""

from __future__ import annotations

from datetime import date

import pytest

from core.catalogue import Catalogue
from core.errors import ValidationFailed
from core.hours import DAY, DEFAULT_HOURS, HourRange, describe_hours, format_hours, parse_hours
from core.policy import Policy
from core.validation import validate_draft
from tests.unit.fakes import a_draft


def test_the_default_is_mornings_afternoons_and_evenings():
    assert parse_hours("mornings, afternoons, evenings") == DEFAULT_HOURS
    assert format_hours(DEFAULT_HOURS) == "07:00-22:00"
    assert describe_hours(DEFAULT_HOURS) == "mornings, afternoons, evenings (07:00-22:00)"


@pytest.mark.parametrize(
    "typed,stored",
    [
        ("evenings", "17:00-22:00"),
        ("Mornings 07-12, evenings", "07:00-12:00,17:00-22:00"),  # a button's label
        ("18-21", "18:00-21:00"),
        ("6:30-8", "06:30-08:00"),
        ("9\u201311", "09:00-11:00"),  # an en dash
        ("22-02", "00:00-02:00,22:00-24:00"),  # across midnight: two windows
        ("mornings; 12-13", "07:00-13:00"),  # touching windows are joined
        ("07:00-12:00,17:00-22:00", "07:00-12:00,17:00-22:00"),  # the stored text again
    ],
)
def test_periods_and_typed_windows_are_read_into_sorted_windows(typed, stored):
    assert format_hours(parse_hours(typed)) == stored


@pytest.mark.parametrize("typed", ["", "noon-ish", "25-26", "10-10", "9:75-10"])
def test_what_is_no_time_of_day_is_refused_with_a_message(typed):
    with pytest.raises(ValueError) as refused:
        parse_hours(typed)
    assert str(refused.value)


def test_hours_that_are_not_whole_periods_are_shown_as_times():
    assert describe_hours(parse_hours("mornings, 19-21")) == "07:00-12:00, 19:00-21:00"
    assert describe_hours((HourRange(0, DAY),)) == "any time of day (00:00-24:00)"


def test_a_draft_with_unreadable_hours_is_refused_under_its_own_field():
    draft = a_draft(student_hours="whenever")
    with pytest.raises(ValidationFailed) as refused:
        validate_draft(draft, Catalogue.load(), Policy(), date(2026, 3, 2))
    assert set(refused.value.errors) == {"student_hours"}


def test_a_draft_keeps_the_hours_the_student_gave():
    valid = validate_draft(
        a_draft(student_hours="evenings"), Catalogue.load(), Policy(), date(2026, 3, 2)
    )
    assert valid.student_hours == (HourRange(17 * 60, 22 * 60),)
    assert valid.stored_fields()["student_hours"] == "17:00-22:00"
