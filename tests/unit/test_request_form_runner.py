"""The request form's flow (``bot.conversation.forms.request_form``) on in-memory services:
what each input does to the stored state and what the person is shown, the same for
Telegram and the console. The state handed back is stored as JSON between inputs here,
as every front-end stores it."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from bot.conversation.forms import request_form as runner
from bot.conversation.forms.request_form import Pressed, Shown, Typed
from bot.conversation.replies import UserText, plain
from bot.conversation.turn import Turn
from bot.conversation.vocabulary import VOCABULARY
from bot.read_cache import ReadCache
from core.delivery.messages import ActionName
from core.forms import RequestForm, StepKind
from core.hints import Hint
from core.members import Member
from core.requests import RequestDraft
from core.services.context import ServiceContext
from core.services.requests import draft_for_edit, draft_for_mentor, my_requests, submit_request
from tests.unit.fakes import a_draft, add_mentor, add_student, clock_of, make_context

PHRASES = {hint: f"<{hint.value}>" for hint in Hint}
FORM_BUTTONS = [name for name in ActionName if name.value.startswith("form_")]


@pytest.fixture
def ctx() -> ServiceContext:
    return make_context()


@pytest.fixture
def sam(ctx: ServiceContext) -> Member:
    add_mentor(ctx, "Mia")
    return add_student(ctx, "Sam")  # New York: 2 March 2026, 03:00 at START


def turn_of(ctx: ServiceContext, member: Member) -> Turn:
    return Turn(member, ctx, ReadCache())


def said(shown: Shown) -> str:
    answer = shown.answer
    parts = [plain(answer.note_parts(), PHRASES, str)]
    parts += [plain(reply.parts, PHRASES, str) for reply in answer.replies]
    return "\n".join(p for p in parts if p)


def labels(shown: Shown) -> list[str]:
    return [a.label for r in shown.answer.replies for a in r.actions]


def button(shown: Shown, label: str) -> Pressed:
    for reply in shown.answer.replies:
        for action in reply.actions:
            if label in action.label:
                return Pressed(action.name, action.args)
    raise AssertionError(f"no button {label!r} in {labels(shown)}")


def stored(shown: Shown) -> dict[str, Any] | None:
    """The state as a front-end keeps it: through JSON."""
    return None if shown.state is None else json.loads(json.dumps(shown.state))


def draft_of(shown: Shown) -> RequestDraft:
    assert shown.state is not None
    return RequestForm.from_dict(shown.state["answers"]).draft


def position_of(shown: Shown) -> str:
    assert shown.state is not None
    return str(shown.state["answers"]["position"])


async def step(turn: Turn, shown: Shown, given: Typed | Pressed | str) -> Shown:
    if isinstance(given, str):
        given = button(shown, given)
    return await runner.handle(turn, stored(shown), given)


async def to_preview(turn: Turn, kind: str = "Career guidance") -> Shown:
    shown = await runner.begin(turn, None)
    for given in (
        kind,
        Typed("Moving from QA to backend"),
        Typed("I test APIs all day; how do I start writing them?"),
        "45 min",
        "High",
        Typed("2026-03-03"),
        Typed("2026-03-06"),
        "Done",  # the hours: all three periods, as ticked at first
        "python",
        "Done",
        "No preference",
    ):
        shown = await step(turn, shown, given)
    assert "Submit it?" in said(shown), said(shown)
    return shown


async def test_a_form_walked_with_buttons_and_typing_is_submitted(
    ctx: ServiceContext, sam: Member
) -> None:
    turn = turn_of(ctx, sam)
    first = await runner.begin(turn, None)
    assert said(first) == "What kind of session do you need?"
    assert labels(first)[-2:] == ["« Back", "Cancel"] and first.kind == StepKind.CHOICE
    preview = await to_preview(turn)
    text = said(preview)
    for line in ("Title: Moving from QA to backend", "Duration: 45 min", "Urgency: high"):
        assert line in text
    assert "Available: 2026-03-03 to 2026-03-06" in text and "Tags: python" in text
    # what the person typed is marked as theirs, for each platform to show literally
    typed = [p.text for r in preview.answer.replies for p in r.parts if isinstance(p, UserText)]
    assert "Moving from QA to backend" in typed and "Type" not in typed

    done = await step(turn, preview, "Submit")
    assert done.state is None
    assert said(done) == "Request #1 submitted. Mentors will be told in a moment. <my>"
    [request] = my_requests(ctx, sam.id)
    assert (request.title, request.duration_minutes, request.urgency.value) == (
        "Moving from QA to backend",
        45,
        "high",
    )
    over = await runner.handle(turn, done.state, button(preview, "Submit"))
    assert over.answer.refused and over.state is None  # the form is over
    again = await step(turn, preview, "Submit")  # a copy of the old state: no second request
    assert said(again).startswith("Request #1 submitted") and len(my_requests(ctx, sam.id)) == 1


async def test_a_refused_answer_asks_the_same_step_again_and_keeps_nothing(
    ctx: ServiceContext, sam: Member
) -> None:
    turn = turn_of(ctx, sam)
    title = await step(turn, await runner.begin(turn, None), "Career guidance")
    refused = await step(turn, title, Typed("ab"))
    assert said(refused) == (
        "The title must be at least 3 characters long.\nWhat do you need help with? (a short title)"
    )
    assert draft_of(refused).title == ""
    assert "Current answer" not in said(refused)
    typed = await step(turn, refused, "Cancel")
    assert typed.state is None and said(typed) == "Stopped. Nothing was saved."


async def test_edit_on_the_preview_changes_one_answer_and_keeps_the_rest(
    ctx: ServiceContext, sam: Member
) -> None:
    turn = turn_of(ctx, sam)
    preview = await to_preview(turn)
    picker = await step(turn, preview, "Edit")
    assert said(picker) == "Which answer do you want to change? The others are kept."
    assert labels(picker) == [
        "Session type",
        "Title",
        "Description",
        "Duration",
        "Urgency",
        "First day",
        "Last day",
        "Your hours",
        "Tags",
        "Choice of mentor",
        "Submit as it is",
        "Cancel",
    ]
    shown = await step(turn, picker, "Description")
    assert "Current answer: I test APIs all day; how do I start writing them?" in said(shown)
    again = await step(turn, shown, Typed("Now with a better description."))
    assert again.kind == StepKind.PREVIEW  # straight back, nothing else asked
    assert "Description: Now with a better description." in said(again)
    assert said(preview).replace("I test APIs all day; how do I start writing them?", "") == (
        said(again).replace("Now with a better description.", "")
    )
    typed = await step(turn, await step(turn, again, "Edit"), Typed("title"))  # by its name
    assert "Current answer: Moving from QA to backend" in said(typed)
    back = await step(turn, typed, "Keep:")
    assert back.kind == StepKind.PREVIEW and "Title: Moving from QA to backend" in said(back)


async def test_the_limit_is_refused_as_soon_as_the_type_is_chosen(
    ctx: ServiceContext, sam: Member
) -> None:
    for n in range(3):
        submit_request(ctx, sam.id, a_draft(session_type="MOCK_INTERVIEW", title=f"Mock {n}"))
    turn = turn_of(ctx, sam)
    first = await runner.begin(turn, None)
    refused = await step(turn, first, "Mock interview")
    assert said(refused).startswith("You have reached the Interview prep limit (3 of 3 used)."), (
        said(refused)
    )
    assert "<limits>\nWhat kind of session do you need?" in said(refused)
    assert position_of(refused) == "0"
    assert draft_of(refused).session_type == ""
    title = await step(turn, refused, "Career guidance")  # another group is fine
    assert said(title).startswith("What do you need help with?")


async def test_an_edited_request_does_not_count_against_itself(
    ctx: ServiceContext, sam: Member
) -> None:
    requests = [
        submit_request(ctx, sam.id, a_draft(session_type="MOCK_INTERVIEW", title=f"Mock {n}"))
        for n in range(3)
    ]
    turn = turn_of(ctx, sam)
    draft = draft_for_edit(ctx, sam.id, requests[0].id)
    shown = await runner.begin(turn, None, draft=draft, edit_id=requests[0].id)
    assert said(shown).startswith(f"Editing request #{requests[0].id}: press Edit to change")
    assert shown.kind == StepKind.PREVIEW and "Title: Mock 0" in said(shown)
    shown = await step(turn, await step(turn, shown, "Edit"), "Title")
    assert said(shown).startswith("What do you need help with?"), said(shown)
    shown = await step(turn, shown, Typed("Mock 0, renamed"))
    assert shown.kind == StepKind.PREVIEW
    done = await step(turn, shown, "Submit")
    assert said(done) == f"Request #{requests[0].id} updated."
    assert {r.title for r in my_requests(ctx, sam.id)} == {"Mock 0, renamed", "Mock 1", "Mock 2"}


async def test_a_paused_form_waits_and_resumes_at_the_same_step(
    ctx: ServiceContext, sam: Member
) -> None:
    turn = turn_of(ctx, sam)
    title = await step(turn, await runner.begin(turn, None), "Career guidance")
    description = await step(turn, title, Typed("Moving from QA to backend"))
    paused, note = runner.pause(stored(description))
    assert note is not None and runner.is_paused(paused)
    assert plain(note.replies[0].parts, PHRASES, str) == (
        "Your request is saved as a draft; asking for a session again goes on from the same "
        "step. <request>"
    )
    assert runner.pause(paused) == (paused, None)  # said once
    resumed = await runner.begin(turn, paused)
    assert said(resumed) == (
        "You have a request form in progress: resuming at the description.\n"
        "Describe it in a few sentences."
    )
    assert not runner.is_paused(resumed.state)
    nothing, silent = runner.pause(None)
    assert nothing is None and silent is None


async def test_buttons_of_an_earlier_step_or_of_no_form_are_refused(
    ctx: ServiceContext, sam: Member
) -> None:
    turn = turn_of(ctx, sam)
    first = await runner.begin(turn, None)
    title = await step(turn, first, "Career guidance")
    late = await runner.handle(turn, stored(title), button(first, "Resume review"))
    assert said(late).startswith("That button belongs to an earlier step.\nWhat do you need")
    assert late.state == stored(title)
    for forged in (Pressed("form_choose"), Pressed("nuke", ("1",)), Pressed("form_day", ("1",))):
        assert "earlier step" in said(await runner.handle(turn, stored(title), forged))
    gone = await runner.handle(turn, None, button(first, "Resume review"))
    assert gone.answer.refused and gone.state is None
    assert said(gone) == "This button no longer works. <help>"


async def test_the_date_picker_offers_only_the_days_that_fit(
    ctx: ServiceContext, sam: Member
) -> None:
    turn = turn_of(ctx, sam)
    shown = await runner.begin(turn, None)
    for given in ("Career guidance", Typed("A good title"), Typed("Some words."), "45 min", "Low"):
        shown = await step(turn, shown, given)
    days = [a.args[1] for a in shown.answer.replies[0].actions if a.name == ActionName.FORM_DAY]
    assert days[0] == "2026-03-02" and days[-1] == "2026-03-31"  # from today in New York
    assert labels(shown).count("« Prev") == 0 and "Next »" in labels(shown)
    april = await step(turn, shown, "Next »")
    assert "« Prev" in labels(april) and "1" in labels(april)
    forged = await runner.handle(turn, stored(shown), Pressed("form_month", ("5", "2027-01-01")))
    assert labels(forged) == labels(shown)  # a month outside the horizon is not shown
    until = await step(turn, april, "10")
    first = [a.args[1] for a in until.answer.replies[0].actions if a.name == ActionName.FORM_DAY]
    assert first[0] == "2026-04-10"  # the last day is not before the first
    assert said(await step(turn, until, Typed("2026-04-01"))).startswith(
        "The last day cannot be before the first day."
    )


async def test_tags_are_picked_unpicked_typed_or_replaced(ctx: ServiceContext, sam: Member) -> None:
    turn = turn_of(ctx, sam)
    shown = await runner.begin(turn, None)
    for given in (
        "Career guidance",
        Typed("A good title"),
        Typed("Some words."),
        "45 min",
        "Low",
        Typed("tomorrow"),
        Typed("+3"),
        "Done",  # the hours
    ):
        shown = await step(turn, shown, given)
    shown = await step(turn, shown, "python")
    shown = await step(turn, shown, "backend")
    shown = await step(turn, shown, "✓ python")  # unpicked
    assert "✓ backend" in labels(shown) and "python" in labels(shown)
    mentor = await step(turn, shown, Typed("fintech, sql"))
    assert draft_of(mentor).tags == [
        "backend",
        "fintech",
        "sql",
    ]
    back = await step(turn, mentor, "« Back")
    assert "Current answer: backend, fintech, sql" in said(back)
    position = position_of(back)
    replaced = await runner.handle(
        turn, stored(back), Pressed(ActionName.FORM_TAGS_DONE, (position, "go"))
    )
    assert draft_of(replaced).tags == ["go"]


async def test_a_form_for_a_mentor_names_them_and_keeps_the_choice(
    ctx: ServiceContext, sam: Member
) -> None:
    zoe = add_mentor(ctx, "Zoe")
    turn = turn_of(ctx, sam)
    draft = draft_for_mentor(ctx, sam.id, zoe.id)
    shown = await runner.begin(turn, None, draft=draft)
    assert said(shown).startswith("A request for Zoe: they are told personally once you submit")
    assert shown.state is not None and shown.state["answered"] == ["preferred_mentor_id"]


async def test_a_day_passed_meanwhile_is_asked_again_at_submit(
    ctx: ServiceContext, sam: Member
) -> None:
    turn = turn_of(ctx, sam)
    preview = await to_preview(turn)
    clock_of(ctx).advance(timedelta(days=2))  # 3 March has passed in New York
    refused = await step(turn, preview, "Submit")
    assert said(refused).startswith("The first day cannot be in the past (today is 2026-03-04).")
    assert "From which day are you available?" in said(refused)
    assert my_requests(ctx, sam.id) == []


def test_a_stored_form_of_an_older_shape_is_carried_over_and_garbage_is_no_form() -> None:
    form = RequestForm(RequestDraft(session_type="career-guidance", title="Old"), position=2)
    older = {"form": form.to_dict(), "mentors": [["7", "Bob"]], "edit_id": 4}
    found = runner.load(older)
    assert found is not None and found.edit_id == 4 and found.mentors[0].label == "Bob"
    assert found.form.draft.title == "Old" and found.answered is None
    garbage: list[Any] = [{}, {"form": "request"}, {"form": {"draft": {"nope": 1}}}, [], "x"]
    for shape in garbage:
        assert runner.load(shape) is None


def test_form_buttons_are_not_actions_of_the_vocabulary() -> None:
    assert len(FORM_BUTTONS) == 11
    assert not {b.value for b in FORM_BUTTONS} & set(VOCABULARY)


async def test_the_hours_are_ticked_unticked_or_typed_and_shown_on_the_preview(
    ctx: ServiceContext, sam: Member
) -> None:
    turn = turn_of(ctx, sam)
    shown = await runner.begin(turn, None)
    for given in (
        "Career guidance",
        Typed("A good title"),
        Typed("Some words."),
        "45 min",
        "Low",
        Typed("tomorrow"),
        Typed("+3"),
    ):
        shown = await step(turn, shown, given)
    assert shown.kind == StepKind.HOURS and "in your own time zone" in said(shown)
    ticked = [x for x in labels(shown) if x.startswith("✓ ")]
    assert ticked == ["✓ Mornings 07-12", "✓ Afternoons 12-17", "✓ Evenings 17-22"]
    shown = await step(turn, shown, "Mornings")  # untick
    shown = await step(turn, shown, "Afternoons")
    assert [x for x in labels(shown) if x.startswith("✓ ")] == ["✓ Evenings 17-22"]
    nothing = await step(turn, await step(turn, shown, "Evenings"), "Done")
    assert "at least one part of the day" in said(nothing)  # none ticked: asked again
    shown = await step(turn, shown, "Done")
    assert draft_of(shown).student_hours == "evenings"
    shown = await step(turn, shown, "« Back")  # typed windows replace the buttons
    shown = await step(turn, shown, Typed("6:30-8, evenings"))
    assert draft_of(shown).student_hours == "6:30-8, evenings"
    for given in ("Done", "No preference"):
        shown = await step(turn, shown, given)
    assert "Hours: 06:30-08:00, 17:00-22:00 (your time)" in said(shown), said(shown)
    done = await step(turn, shown, "Submit")
    assert done.state is None
    [request] = my_requests(ctx, sam.id)
    assert str(request.student_hours[0]) == "06:30-08:00" and len(request.student_hours) == 2


async def test_at_the_preview_an_answer_is_named_in_words(ctx: ServiceContext, sam: Member) -> None:
    turn = turn_of(ctx, sam)
    preview = await to_preview(turn)
    hours = await step(turn, preview, Typed("hours"))  # the step "Your hours"
    assert "hours" in said(hours).splitlines()[0].lower() and hours.kind != StepKind.PREVIEW
    unknown = await step(turn, preview, Typed("whatever"))
    assert said(unknown).startswith(
        "Please choose Submit, Edit or Cancel, or name the answer to change (e.g. title)."
    )
    assert unknown.kind == StepKind.PREVIEW
