"""The shared mentor application form: a step accepts an answer exactly when
``apply_as_mentor`` would, the form's state survives its JSON round trip, and a refused
submission goes back to the question refused."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.conversation.forms.mentor_application import (
    FIELDS,
    MentorApplication,
    answer,
    back,
    read,
    split_tags,
    submit,
)
from core.errors import ValidationFailed
from core.mentors import MentorStatus
from core.services.mentors import apply_as_mentor
from tests.unit.fakes import add_student, make_context, store_of

VALID = {
    "domain": "Data engineering",
    "years_experience": 7,
    "bio": "I build data pipelines.",
    "expertise_tags": ["python"],
}
BY_NAME = {f.name: f for f in FIELDS}
TEXTS = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=120) | st.text(
    alphabet="ab \n\t\x00;,#+-.", max_size=40
)


def _core_accepts(name: str, value: Any) -> bool:
    ctx = make_context()
    member = add_student(ctx, "Sam")
    try:
        apply_as_mentor(ctx, member.id, **{**VALID, name: value})
    except ValidationFailed as failed:
        assert set(failed.errors) == {name}
        return False
    return True


def _step_accepts(name: str, text: str) -> bool:
    try:
        read(BY_NAME[name], text, make_context())
    except ValidationFailed as failed:
        assert set(failed.errors) == {name}
        return False
    return True


@settings(max_examples=150, deadline=None)
@given(text=TEXTS, name=st.sampled_from(["domain", "bio"]))
@example(text="D" * 5000, name="domain")
@example(text="x" * 100, name="domain")
@example(text="x" * 101, name="domain")
@example(text="two\nlines", name="domain")
@example(text="two\nlines", name="bio")
@example(text="  ", name="bio")
def test_a_text_step_accepts_what_the_submission_accepts(text: str, name: str) -> None:
    assert _step_accepts(name, text) == _core_accepts(name, text)


@settings(max_examples=150, deadline=None)
@given(text=TEXTS)
@example(text="python; sql")
@example(text="python, c++!!")
@example(text=" ".join(f"t{i}" for i in range(11)))
@example(text="x" * 31)
@example(text="-")
def test_the_tags_step_accepts_what_the_submission_accepts(text: str) -> None:
    assert _step_accepts("expertise_tags", text) == _core_accepts(
        "expertise_tags", split_tags(text)
    )


@pytest.mark.parametrize("years", ["0", "7", "80", "81", "0007", "99999999999999"])
def test_the_years_step_accepts_what_the_submission_accepts(years: str) -> None:
    assert _step_accepts("years_experience", years) == _core_accepts("years_experience", int(years))


@pytest.mark.parametrize("years", ["abc", "", "-1", "7.5", "٣", "5 years"])
def test_years_that_are_not_a_whole_number_are_refused_with_a_plain_reason(years: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        read(BY_NAME["years_experience"], years, make_context())
    assert refused.value.errors == {
        "years_experience": "Please give the years as a whole number, e.g. 5."
    }


def test_tags_are_split_on_commas_semicolons_and_spaces() -> None:
    assert split_tags("python; sql") == ["python", "sql"]
    assert split_tags("python,sql  go;;rust") == ["python", "sql", "go", "rust"]
    assert split_tags("-") == [] and split_tags("  ") == []
    ctx = make_context()
    assert read(BY_NAME["expertise_tags"], "Python; #SQL", ctx) == ["python", "sql"]


def test_the_form_goes_step_by_step_keeps_its_state_and_submits() -> None:
    ctx = make_context()
    member = add_student(ctx, "Sam")
    form = MentorApplication()
    assert answer(form, "Data engineering", ctx) is BY_NAME["years_experience"]
    with pytest.raises(ValidationFailed):
        answer(form, "abc", ctx)
    assert form.to_dict() == {"answers": {"domain": "Data engineering"}, "position": 1}
    assert answer(form, "7", ctx) is BY_NAME["bio"]
    assert back(form) is BY_NAME["years_experience"]
    assert answer(form, "8", ctx) is BY_NAME["bio"]
    form = MentorApplication.from_dict(form.to_dict())
    assert answer(form, "I build pipelines.", ctx) is BY_NAME["expertise_tags"]
    assert answer(form, "python; sql", ctx) is None
    profile = submit(ctx, member.id, form)
    assert (profile.years_experience, profile.expertise_tags) == (8, ["python", "sql"])
    assert profile.status == MentorStatus.PENDING
    assert store_of(ctx).tables.mentors[member.id].domain == "Data engineering"


def test_a_refused_submission_asks_again_the_question_refused() -> None:
    """A form stored earlier (here by hand) is read again at submission."""
    ctx = make_context()
    member = add_student(ctx, "Sam")
    stored = {"domain": "Web", "years": "300", "bio": "Hi.", "tags": "python"}
    form = MentorApplication.from_dict(stored)  # the shape the Telegram form used to keep
    assert form.current is None
    with pytest.raises(ValidationFailed):
        submit(ctx, member.id, form)
    assert form.current is BY_NAME["years_experience"]
    assert form.answers == {"domain": "Web"}
    for text in ("3", "Hi.", "python"):
        answer(form, text, ctx)
    assert submit(ctx, member.id, form).domain == "Web"


def test_garbled_state_starts_again_from_what_is_missing() -> None:
    assert MentorApplication.from_dict(None).position == 0
    assert MentorApplication.from_dict("x").position == 0
    found = MentorApplication.from_dict({"answers": {"domain": "Web", "bio": 3}, "position": 9})
    assert (found.position, found.answers) == (1, {"domain": "Web"})
