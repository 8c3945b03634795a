"""The request form's checks: what a student sees when a field is wrong."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from core.catalogue import Catalogue
from core.errors import ValidationFailed
from core.members import Identity, Platform
from core.policy import Policy
from core.requests import RequestDraft, Urgency, ValidRequest
from core.services.members import register_member, set_timezone
from core.validation import check_timezone
from core.validation import validate_draft as _validate_draft
from tests.unit.fakes import a_draft, make_context

TODAY = date(2026, 3, 2)
CATALOGUE = Catalogue.load()
POLICY = Policy()


def validate(draft: RequestDraft) -> ValidRequest:
    return _validate_draft(draft, CATALOGUE, POLICY, TODAY)


def errors_of(draft: RequestDraft) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        validate(draft)
    return caught.value.errors


# ------------------------------------------------------------------ title and description


def test_a_complete_draft_becomes_a_valid_request():
    valid = validate(a_draft())
    assert valid.session_type == "career-guidance"
    assert valid.urgency is Urgency.NORMAL
    assert valid.duration_minutes == 60


@pytest.mark.parametrize("title", ["", "   ", "\n\t  "])
def test_an_empty_or_blank_title_is_rejected(title):
    assert errors_of(a_draft(title=title)) == {"title": "The title cannot be empty."}


def test_a_two_letter_title_is_too_short():
    assert "at least 3 characters" in errors_of(a_draft(title="ab"))["title"]


def test_a_too_long_title_says_how_long_it_is_and_the_maximum():
    message = errors_of(a_draft(title="x" * 201))["title"]
    assert message == "The title is too long: 201 characters, at most 200 allowed."


def test_a_title_of_exactly_the_maximum_length_is_accepted():
    assert validate(a_draft(title="x" * 200)).title == "x" * 200


def test_a_too_long_description_says_how_long_it_is_and_the_maximum():
    message = errors_of(a_draft(description="y" * 3001))["description"]
    assert "3001 characters" in message
    assert "at most 3000" in message


def test_a_nul_byte_is_rejected_in_the_title_and_in_the_description():
    errors = errors_of(a_draft(title="Help\x00me", description="bad\x00byte"))
    assert errors["title"] == "The title cannot contain control characters."
    assert errors["description"] == "The description cannot contain control characters."


@pytest.mark.parametrize("char", ["\x07", "\x1b", "\x7f", "\x85"])
def test_other_control_characters_are_rejected(char):
    assert "control characters" in errors_of(a_draft(description=f"ab{char}cd"))["description"]


def test_an_unpaired_surrogate_is_rejected():
    assert "invalid character" in errors_of(a_draft(title="bad \ud800 text"))["title"]


def test_line_breaks_and_tabs_are_kept_in_the_description():
    valid = validate(a_draft(description="First line\r\nsecond line\n\tindented"))
    assert valid.description == "First line\nsecond line\n\tindented"


def test_a_line_break_in_the_title_is_rejected():
    assert errors_of(a_draft(title="Two\nlines")) == {
        "title": "The title cannot contain line breaks."
    }


def test_emoji_and_right_to_left_text_are_kept_unchanged_after_stripping_spaces():
    title = "🚀 مساعدة في السيرة الذاتية"
    description = "שלום! 👋 אני צריך עזרה\u200f with my CV 🇩🇪"
    valid = validate(a_draft(title=f"  {title}  ", description=f"\n{description}\n "))
    assert valid.title == title
    assert valid.description == description


# ------------------------------------------------------------------ dates


def test_a_first_day_in_the_past_is_rejected_naming_today():
    errors = errors_of(a_draft(available_from=TODAY - timedelta(days=1)))
    assert errors == {
        "available_from": "The first day cannot be in the past (today is 2026-03-02)."
    }


def test_today_is_an_acceptable_first_day():
    assert validate(a_draft(available_from=TODAY)).available_from == TODAY


def test_a_last_day_before_the_first_day_is_rejected():
    errors = errors_of(a_draft(available_from=date(2026, 3, 10), available_until=date(2026, 3, 5)))
    assert errors == {"available_until": "The last day cannot be before the first day."}


def test_a_last_day_beyond_the_horizon_is_rejected_naming_the_horizon():
    errors = errors_of(a_draft(available_until=TODAY + timedelta(days=61)))
    assert errors == {"available_until": "The last day can be at most 60 days ahead (2026-05-01)."}


def test_the_last_day_of_the_horizon_is_accepted():
    assert validate(a_draft(available_until=date(2026, 5, 1))).available_until == date(2026, 5, 1)


def test_a_first_day_beyond_the_horizon_is_rejected():
    errors = errors_of(a_draft(available_from=date(2026, 5, 2), available_until=date(2026, 5, 2)))
    assert "2026-05-01" in errors["available_from"]


def test_missing_dates_ask_for_both_days():
    errors = errors_of(a_draft(available_from=None, available_until=None))
    assert errors == {
        "available_from": "Please choose the first day you are available.",
        "available_until": "Please choose the last day you are available.",
    }


# ------------------------------------------------------------------ type, duration, urgency


def test_an_unknown_session_type_is_rejected():
    errors = errors_of(a_draft(session_type="ASTROLOGY"))
    assert errors["session_type"] == "Please choose one of the listed session types."


@pytest.mark.parametrize("minutes", [0, 15, 50, 90, -30])
def test_a_duration_other_than_30_45_or_60_is_rejected(minutes):
    errors = errors_of(a_draft(duration_minutes=minutes))
    assert errors == {"duration_minutes": "The duration must be one of 30, 45, 60 minutes."}


@pytest.mark.parametrize("minutes", [30, 45, 60])
def test_each_allowed_duration_is_accepted(minutes):
    assert validate(a_draft(duration_minutes=minutes)).duration_minutes == minutes


def test_a_missing_duration_takes_the_session_types_default():
    assert (
        validate(a_draft(session_type="MOCK_INTERVIEW", duration_minutes=None)).duration_minutes
        == 60
    )
    assert (
        validate(a_draft(session_type="resume-review", duration_minutes=None)).duration_minutes
        == 30
    )


@pytest.mark.parametrize("urgency", ["urgent", "", "3", "asap"])
def test_an_unknown_urgency_is_rejected(urgency):
    assert errors_of(a_draft(urgency=urgency)) == {
        "urgency": "Urgency must be low, normal or high."
    }


def test_urgency_is_accepted_in_any_case():
    assert validate(a_draft(urgency="HIGH")).urgency is Urgency.HIGH


# ------------------------------------------------------------------ tags


def test_eleven_different_tags_are_too_many():
    errors = errors_of(a_draft(tags=[f"tag{i}" for i in range(11)]))
    assert errors == {"tags": "At most 10 tags, please (11 given)."}


def test_duplicates_do_not_count_towards_the_tag_maximum():
    valid = validate(a_draft(tags=[f"tag{i}" for i in range(10)] + ["TAG0", "#tag1"]))
    assert len(valid.tags) == 10


def test_a_tag_longer_than_30_characters_is_rejected():
    assert "too long (at most 30)" in errors_of(a_draft(tags=["a" * 31]))["tags"]


@pytest.mark.parametrize("tag", ["c/c++", "<script>", "semi;colon", "a@b", "😀"])
def test_a_tag_with_other_characters_is_rejected(tag):
    message = errors_of(a_draft(tags=[tag]))["tags"]
    assert message.endswith("may use only letters, digits and - + # .")


def test_tags_are_lowercased_deduplicated_stripped_of_hash_and_spaces_become_dashes():
    valid = validate(
        a_draft(tags=["#Python", "python", " PYTHON ", "c#", "C++", "Machine Learning", "", "#"])
    )
    assert valid.tags == ("python", "c#", "c++", "machine-learning")


def test_no_tags_at_all_is_fine():
    assert validate(a_draft(tags=[])).tags == ()


# ------------------------------------------------------------------ type-specific fields


def test_interview_prep_needs_domain_experience_and_target_role():
    errors = errors_of(a_draft(session_type="MOCK_INTERVIEW", extra={}))
    assert set(errors) == {"extra.domain", "extra.experience", "extra.target_role"}
    assert errors["extra.target_role"] == "Target role cannot be empty."


def test_a_reference_needs_the_organization_and_the_message():
    errors = errors_of(a_draft(session_type="PERSONAL_REFERENCE", extra={"organization": " "}))
    assert set(errors) == {"extra.organization", "extra.message"}


def test_only_the_types_own_extra_fields_are_kept():
    valid = validate(a_draft(session_type="PERSONAL_REFERENCE"))
    assert set(valid.extra) == {"organization", "message"}
    assert validate(a_draft(session_type="career-guidance")).extra == {}


def test_an_extra_field_has_its_own_length_limit():
    extra = {"domain": "d" * 101, "experience": "some", "target_role": "lead"}
    errors = errors_of(a_draft(session_type="DOMAIN_COACHING", extra=extra))
    assert errors == {
        "extra.domain": "Domain (e.g. backend, data science) is too long: "
        "101 characters, at most 100 allowed."
    }


# ------------------------------------------------------------------ all at once


def test_every_wrong_field_is_reported_at_once():
    draft = RequestDraft(
        session_type="MOCK_INTERVIEW",
        title="",
        description="x" * 3001,
        extra={},
        duration_minutes=20,
        urgency="soon",
        available_from=TODAY - timedelta(days=3),
        available_until=TODAY + timedelta(days=90),
        tags=["no/slash"],
    )
    with pytest.raises(ValidationFailed) as caught:
        validate(draft)
    assert set(caught.value.errors) == {
        "title",
        "description",
        "extra.domain",
        "extra.experience",
        "extra.target_role",
        "duration_minutes",
        "urgency",
        "available_from",
        "available_until",
        "tags",
    }
    for message in caught.value.errors.values():
        assert message in caught.value.user_message


# ------------------------------------------------------------------ time zones


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("AMERICA/NEW_YORK", "America/New_York"),
        ("  Asia/Tokyo ", "Asia/Tokyo"),
        ("utc", "UTC"),
    ],
)
def test_time_zone_names_are_accepted_in_any_case_and_stored_canonically(typed, stored):
    assert check_timezone(typed) == stored


@pytest.mark.parametrize("typed", ["Mars/Olympus_Mons", "Berlin", "GMT+25", "../../etc/passwd"])
def test_an_unknown_time_zone_is_rejected_with_an_example_of_a_good_one(typed):
    with pytest.raises(
        ValueError, match=re.escape("is not a time zone I know. Try e.g. Europe/Berlin")
    ):
        check_timezone(typed)


@pytest.mark.parametrize("typed", ["", "   ", "Europe/Berlin\x00", "A" * 65])
def test_an_empty_or_garbled_time_zone_asks_for_one(typed):
    with pytest.raises(ValueError, match="Please give a time zone such as Europe/Berlin"):
        check_timezone(typed)


def test_registering_and_changing_the_time_zone_use_the_same_check():
    ctx = make_context()
    member, created = register_member(
        ctx, Identity(Platform.TELEGRAM, "42"), "Sam", "america/new_york"
    )
    assert created
    assert member.timezone == "America/New_York"
    with pytest.raises(ValidationFailed) as caught:
        set_timezone(ctx, member.id, "Atlantis/Capital")
    assert "is not a time zone I know" in caught.value.errors["timezone"]
    assert set_timezone(ctx, member.id, "asia/kolkata").timezone == "Asia/Kolkata"
