"""A form opened for one mentor (the 'Request <name>' button of the mentors' list).

The service checks the mentor as submitting will (approved, not oneself) before a form
opens; the form then keeps its mentor step and says who is chosen, so the student can
keep or change that choice, and the preview says whom the request is for.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from core.errors import NotFound, ValidationFailed
from core.forms import NO_PREFERENCE, Choice, RequestForm, StepKind, answer, form_steps
from core.mentors import MentorStatus
from core.notifications import Kind
from core.services.requests import draft_for_mentor, submit_request
from tests.unit.fakes import START, a_draft, add_mentor, add_student, make_context, store_of

MENTORS = [Choice("7", "Bob"), Choice("8", "Carol")]


@pytest.fixture
def ctx():
    return make_context()


def test_the_draft_names_the_mentor_and_submits_to_them(ctx):
    sam = add_student(ctx, "Sam")
    mia = add_mentor(ctx, "Mia", tags=["design"])

    draft = draft_for_mentor(ctx, sam.id, mia.id)
    assert draft.preferred_mentor_id == mia.id and draft.title == ""

    filled = a_draft(tags=["python"], preferred_mentor_id=draft.preferred_mentor_id)
    request = submit_request(ctx, sam.id, filled)
    assert request.preferred_mentor_id == mia.id
    told = [n for n in store_of(ctx).tables.notifications if n.recipient_id == mia.id]
    assert [n.kind for n in told] == [Kind.REQUEST_FOR_YOU]


def test_no_draft_for_oneself(ctx):
    mia = add_mentor(ctx, "Mia")
    with pytest.raises(ValidationFailed) as refused:
        draft_for_mentor(ctx, mia.id, mia.id)
    assert refused.value.user_message == "You cannot mentor yourself."


@pytest.mark.parametrize("status", [MentorStatus.PENDING, MentorStatus.SUSPENDED])
def test_no_draft_for_a_mentor_who_is_not_approved(ctx, status):
    sam = add_student(ctx, "Sam")
    mia = add_mentor(ctx, "Mia")
    with ctx.uow_factory() as uow:
        profile = uow.mentors.get(mia.id)
        assert profile is not None
        uow.mentors.update(replace(profile, status=status), START)
        uow.commit()
    with pytest.raises(ValidationFailed) as refused:
        draft_for_mentor(ctx, sam.id, mia.id)
    assert refused.value.user_message == "That mentor is not available."


def test_no_draft_for_someone_who_is_no_mentor_or_for_nobody(ctx):
    sam = add_student(ctx, "Sam")
    leo = add_student(ctx, "Leo")
    for mentor_id in (leo.id, 999_999):
        with pytest.raises(ValidationFailed, match="That mentor is not available"):
            draft_for_mentor(ctx, sam.id, mentor_id)
    with pytest.raises(NotFound):  # someone the bot does not know yet
        draft_for_mentor(ctx, 424_242, leo.id)


def test_the_mentor_step_and_the_preview_say_who_is_chosen(ctx):
    form = RequestForm(a_draft(preferred_mentor_id=7))
    steps = form_steps(form.draft, ctx.catalogue, MENTORS)
    # with a chosen mentor, one more question: may others take it if Bob does not?
    mentor_step, others_step, preview = steps[-3], steps[-2], steps[-1]
    assert others_step.field == "open_to_others"
    assert others_step.prompt.startswith("If Bob does not take it in time")
    assert mentor_step.kind == StepKind.CHOICE
    assert mentor_step.prompt == (
        "Would you like a particular mentor? (optional) Chosen: Bob; tap to keep or change."
    )
    assert preview.prompt == "Here is your request (preferred mentor: Bob). Submit it?"

    # changing one's mind: no preference, and the prompts no longer name anyone
    form.position = len(steps) - 3
    answer(form, mentor_step, NO_PREFERENCE, ctx.catalogue, ctx.policy, START.date())
    assert form.draft.preferred_mentor_id is None
    steps = form_steps(form.draft, ctx.catalogue, MENTORS)
    assert steps[-2].prompt == "Would you like a particular mentor? (optional)"
    assert steps[-1].prompt == "Here is your request. Submit it?"
    assert len(steps) == len(form_steps(a_draft(), ctx.catalogue, MENTORS))  # Back: same steps


def test_a_chosen_mentor_missing_from_the_choices_is_not_named(ctx):
    steps = form_steps(a_draft(preferred_mentor_id=99), ctx.catalogue, MENTORS)
    assert steps[-3].prompt == "Would you like a particular mentor? (optional)"
    assert steps[-1].prompt == "Here is your request. Submit it?"
