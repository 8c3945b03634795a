"""The request form's flow, once for Telegram and the console: (stored state, input) →
(new state, what to show).

The steps, their parsing and checking are ``core.forms``; this is what happens around
them: asking the current step, choices and the date picker as buttons, Back, Cancel, the
tags' Done, the preview with Submit / Edit / Cancel, submitting (or updating an edited
request) and resuming. A front-end stores the returned state (None: the form is over)
and renders the answer; it decides nothing about the form itself.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from bot.conversation.dispatcher import stale
from bot.conversation.forms.request_state import RequestFormState
from bot.conversation.forms.request_steps import (
    EARLIER,
    NEUTRAL,
    QUIET,
    WHICH,
    Pressed,
    Shown,
    Typed,
    apply,
    cancel,
    show,
    submit,
)
from bot.conversation.forms.request_view import (
    Wording,
    field_label,
    field_picker,
    picked_hours,
    step_name,
)
from bot.conversation.pickers import mentor_choices
from bot.conversation.replies import Answer, Part, Reply
from bot.conversation.turn import Turn
from core.delivery.messages import ActionName
from core.forms import RequestForm, Step, StepKind, current_answer
from core.hints import Hint
from core.requests import RequestDraft
from core.services.mentors import list_mentors

__all__ = ["Pressed", "Shown", "Typed", "Wording", "begin", "cancel", "handle", "pause"]
State = Mapping[str, Any]
DRAFT: tuple[Part, ...] = (
    "Your request is saved as a draft; asking for a session again goes on from the same step.",
    Hint.REQUEST,
)


def load(state: State | None) -> RequestFormState | None:
    return RequestFormState.from_dict(state) if state is not None else None


def is_paused(state: State | None) -> bool:
    found = load(state)
    return found is not None and found.paused


async def begin(
    turn: Turn,
    state: State | None,
    wording: Wording = NEUTRAL,
    *,
    draft: RequestDraft | None = None,
    edit_id: int | None = None,
) -> Shown:
    """Open a form: a form in progress is resumed (a paused one too), unless ``draft``
    (an edited request, a mentor's "Request" button) replaces it."""
    found = load(state)
    if draft is None and found is not None:
        found.paused = False
        where = step_name(found.step(turn.services.catalogue))
        resumed = f"You have a request form in progress: resuming at {where}."
        return show(turn, found, wording, (resumed,))
    fresh = draft or RequestDraft()
    fresh.submission_key = fresh.submission_key or secrets.token_hex(8)
    mentors = await turn.reads.mentors(lambda: turn.call(list_mentors))
    choices = mentor_choices(mentors, turn.member.id, fresh.preferred_mentor_id)
    fs = RequestFormState(RequestForm(fresh), choices, set(), edit_id)
    lead: tuple[Part, ...] = ()
    if edit_id is not None:  # the preview, every answer kept: Edit picks one to change
        steps = fs.steps(turn.services.catalogue)
        fs.answered = {s.field for s in steps if s.kind != StepKind.PREVIEW}
        fs.form.position = len(steps) - 1
        lead = (f"Editing request #{edit_id}: press Edit to change an answer.",)
    elif fresh.preferred_mentor_id is not None:
        fs.answered = {"preferred_mentor_id"}
        wanted = str(fresh.preferred_mentor_id)
        name = next((c.label for c in choices if c.value == wanted), "that mentor")
        lead = (f"A request for {name}: they are told personally once you submit it.",)
    return show(turn, fs, wording, lead)


async def again(turn: Turn, state: State | None, lead: str, wording: Wording = NEUTRAL) -> Shown:
    """The current step once more after ``lead`` (a sticker instead of an answer)."""
    found = load(state)
    if found is None:
        return Shown(None, stale())
    return show(turn, found, wording, (lead,))


def pause(state: State | None) -> tuple[dict[str, Any] | None, Answer | None]:
    """A command instead of an answer: the form waits, kept; said once."""
    found = load(state)
    if found is None or found.paused:
        return (None if found is None else found.to_dict()), None
    found.paused = True
    return found.to_dict(), Answer(replies=(Reply(DRAFT),), changed=QUIET)


def paused_note() -> Answer:
    """Text while the form waits: it is not taken as an answer."""
    return Answer(replies=(Reply(DRAFT),), changed=QUIET)


async def handle(
    turn: Turn, state: State | None, given: Typed | Pressed, wording: Wording = NEUTRAL
) -> Shown:
    """One input to the form in progress (any input resumes a paused form)."""
    fs = load(state)
    if fs is None:
        return Shown(None, stale())
    fs.paused = False
    step = fs.step(turn.services.catalogue)
    if isinstance(given, Typed):
        return await _typed(turn, fs, step, given.text, wording)
    name, args = given.name, given.args
    if name == ActionName.FORM_CANCEL:
        return cancel()
    if name == ActionName.FORM_BACK:
        fs.form.position = max(0, min(fs.form.position, len(fs.steps(turn.services.catalogue))) - 1)
        fs.month = fs.tags = None
        fs.picking = False
        return show(turn, fs, wording)
    if args[:1] != (str(fs.form.position),):
        return show(turn, fs, wording, (EARLIER,))
    return await _pressed(turn, fs, step, name, args[1:], wording)


async def _pressed(
    turn: Turn, fs: RequestFormState, step: Step, name: str, rest: tuple[str, ...], w: Wording
) -> Shown:
    index = int(rest[0]) if rest and rest[0].isdigit() and len(rest[0]) < 4 else -1
    kind = step.kind
    if name == ActionName.FORM_KEEP and step.field in fs.given(turn.services.catalogue):
        return await apply(turn, fs, step, current_answer(fs.form.draft, step), w)
    if (
        name == ActionName.FORM_CHOOSE
        and kind == StepKind.CHOICE
        and 0 <= index < len(step.choices)
    ):
        return await apply(turn, fs, step, step.choices[index].value, w)
    if name == ActionName.FORM_TAG and kind == StepKind.TAGS and 0 <= index < len(step.choices):
        picked = list(fs.form.draft.tags if fs.tags is None else fs.tags)
        tag = step.choices[index].value
        fs.tags = [t for t in picked if t != tag] if tag in picked else [*picked, tag]
        return show(turn, fs, w)
    if name == ActionName.FORM_TAG and kind == StepKind.HOURS and 0 <= index < len(step.choices):
        picked, period = picked_hours(fs), step.choices[index].value
        fs.tags = [p for p in picked if p != period] if period in picked else [*picked, period]
        return show(turn, fs, w)
    if name == ActionName.FORM_TAGS_DONE and kind == StepKind.HOURS:  # none picked: asked again
        return await apply(turn, fs, step, rest[0] if rest else ",".join(picked_hours(fs)), w)
    if name == ActionName.FORM_TAGS_DONE and kind == StepKind.TAGS:
        picked = fs.form.draft.tags if fs.tags is None else fs.tags
        return await apply(turn, fs, step, rest[0] if rest else ",".join(picked) or "-", w)
    if name == ActionName.FORM_DAY and kind == StepKind.DATE and rest:
        return await apply(turn, fs, step, rest[0], w)
    if name == ActionName.FORM_MONTH and kind == StepKind.DATE and rest:
        fs.month = rest[0][:10]  # the view shows it only when it is a month that fits
        return show(turn, fs, w)
    if name == ActionName.FORM_SUBMIT and kind == StepKind.PREVIEW:
        return await submit(turn, fs, w)
    if name == ActionName.FORM_EDIT and kind == StepKind.PREVIEW:
        steps = fs.steps(turn.services.catalogue)
        picker = field_picker(fs, steps, WHICH)
        fs.picking = True
        return Shown(fs.to_dict(), Answer(replies=(picker,), changed=QUIET), StepKind.PREVIEW)
    if name == ActionName.FORM_FIELD and kind == StepKind.PREVIEW and fs.picking:
        return _revise(turn, fs, index, w)  # (an old picker, once back here: earlier step)
    return show(turn, fs, w, (EARLIER,))


def _revise(turn: Turn, fs: RequestFormState, index: int, w: Wording) -> Shown:
    """The answer picked to change: its step, then straight back to the preview. The
    picker is used up, so its message's other buttons no longer act."""
    steps = fs.steps(turn.services.catalogue)
    if 0 <= index < len(steps) and steps[index].kind != StepKind.PREVIEW:
        fs.form.position, fs.revising, fs.picking = index, True, False
        return show(turn, fs, w)
    return show(turn, fs, w, (EARLIER,))


UNKNOWN_AT_PREVIEW = (
    "Please choose Submit, Edit or Cancel, or name the answer to change (e.g. title)."
)


def _names(step: Step) -> set[str]:
    """What a person may type to change a step's answer: "Your hours", "hours"."""
    label = field_label(step).casefold()
    return {label, label.removeprefix("your "), label.removeprefix("choice of ")}


async def _typed(turn: Turn, fs: RequestFormState, step: Step, text: str, w: Wording) -> Shown:
    if step.kind == StepKind.CHOICE:
        wanted = text.strip().casefold()
        found = [c for c in step.choices if wanted in (c.value.casefold(), c.label.casefold())]
        if not found:
            return show(turn, fs, w, (w.pick_one,))
        return await apply(turn, fs, step, found[0].value, w)
    if step.kind == StepKind.TAGS:  # typed tags join those picked
        picked = fs.form.draft.tags if fs.tags is None else fs.tags
        typed = [t for t in text.split(",") if t.strip()]
        return await apply(turn, fs, step, ",".join([*picked, *typed]) or "-", w)
    if step.kind == StepKind.PREVIEW:
        word = text.strip().casefold()
        name = {"submit": ActionName.FORM_SUBMIT, "edit": ActionName.FORM_EDIT}.get(word)
        if word == "cancel":
            return cancel()
        steps = fs.steps(turn.services.catalogue)
        named = [i for i, s in enumerate(steps) if word in _names(s)]
        if named and steps[named[0]].kind != StepKind.PREVIEW:  # "title": change the title
            return _revise(turn, fs, named[0], w)
        if name is None:
            return show(turn, fs, w, (UNKNOWN_AT_PREVIEW,))
        return await _pressed(turn, fs, step, name, (), w)
    return await apply(turn, fs, step, text, w)
