"""How the request form shows its current step: the question, the answer given so far
(to keep or change), and the buttons, as a neutral :class:`~bot.conversation.replies.Reply`.

What is asked and which buttons exist is decided here once; how the buttons are laid out
(a keyboard, a numbered menu, a month grid) is each front-end's own business, and so is
the short phrase saying how to answer (``Wording``: "tap", "a number").
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from bot.conversation.forms.request_state import RequestFormState
from bot.conversation.replies import Part, Reply, UserText
from core.delivery.messages import Action, ActionName
from core.forms import Step, StepKind, current_answer, preview_lines
from core.hours import describe_hours, parse_hours, picked_periods
from core.policy import Policy
from core.services.context import ServiceContext

SHOWN = 200  # characters of an earlier answer shown with its step (it is kept whole)
ON_BUTTON = 40  # … and on its Keep button
NAMES = {
    "session_type": "the session type",
    "title": "the title",
    "description": "the description",
    "duration_minutes": "the duration",
    "urgency": "the urgency",
    "available_from": "the first day",
    "available_until": "the last day",
    "student_hours": "your hours",
    "tags": "the tags",
    "preferred_mentor_id": "the choice of mentor",
    "preview": "the preview",
}


@dataclass(frozen=True)
class Wording:
    """A front-end's own phrase after each kind of question ("{today}" is filled in),
    and what it says when typed text matches none of the choices."""

    how: Mapping[StepKind, str] = field(default_factory=dict)
    pick_one: str = "Please pick one of the listed options."


def step_name(step: Step) -> str:
    """Where a resumed form continues, in words ("the description")."""
    if step.field in NAMES:
        return NAMES[step.field]
    return "the " + step.prompt.rstrip("?").split(" (")[0].lower()


def field_label(step: Step) -> str:
    """ "Title", "Session type": a step as a button that goes back to change it."""
    name = step_name(step).removeprefix("the ")
    return name[:1].upper() + name[1:]


def field_picker(fs: RequestFormState, steps: list[Step], lead: str) -> Reply:
    """The preview's Edit: one button per answer, each going to its step and back; Submit
    sends it as it is."""
    position = str(fs.form.position)
    fields = [
        Action(shorten(field_label(s), ON_BUTTON), ActionName.FORM_FIELD, (position, str(i)))
        for i, s in enumerate(steps)
        if s.kind != StepKind.PREVIEW
    ]
    done = (
        Action("Submit as it is", ActionName.FORM_SUBMIT, (position,)),
        Action("Cancel", ActionName.FORM_CANCEL),
    )
    return Reply((lead,), (*fields, *done))


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def render(
    fs: RequestFormState, step: Step, ctx: ServiceContext, today: date, wording: Wording
) -> Reply:
    """The step as a message: question, the answer so far, buttons (Back and Cancel last)."""
    draft, position = fs.form.draft, str(fs.form.position)
    nav = (Action("« Back", ActionName.FORM_BACK), Action("Cancel", ActionName.FORM_CANCEL))
    if step.kind == StepKind.PREVIEW:
        parts: list[Part] = []
        for label, value, typed in preview_lines(draft, ctx.catalogue):
            parts += [f"{label}: ", UserText(value) if typed else value, "\n"]
        buttons = (
            Action("Submit", ActionName.FORM_SUBMIT, (position,)),
            Action("Edit", ActionName.FORM_EDIT, (position,)),
        )
        return Reply((*parts, "\n", step.prompt), buttons + nav)
    given = step.field in fs.given(ctx.catalogue)
    current = current_answer(draft, step) if given else ""
    how = wording.how.get(step.kind, "").format(today=today.isoformat())
    parts = [step.prompt, how]
    actions: list[Action] = []
    shown = current
    if step.kind == StepKind.CHOICE:
        for i, choice in enumerate(step.choices):
            mark = "✓ " if given and choice.value == current else ""
            actions.append(Action(mark + choice.label, ActionName.FORM_CHOOSE, (position, str(i))))
            shown = choice.label if given and choice.value == current else shown
    elif step.kind == StepKind.TAGS:
        picked = draft.tags if fs.tags is None else fs.tags
        for i, choice in enumerate(step.choices):
            mark = "✓ " if choice.value in picked else ""
            actions.append(Action(mark + choice.label, ActionName.FORM_TAG, (position, str(i))))
        actions.append(Action("Done", ActionName.FORM_TAGS_DONE, (position,)))
        shown = current or "(none)"
    elif step.kind == StepKind.HOURS:
        actions += hours_actions(fs, step)
        shown = hours_shown(current)
    elif step.kind == StepKind.DATE:
        actions += calendar_actions(fs, step, today, ctx.policy, current)
    if given:
        parts += ["\nCurrent answer: ", UserText(shorten(shown, SHOWN))]
        keep = f"Keep: {shorten(shown, ON_BUTTON)}"
        actions.append(Action(keep, ActionName.FORM_KEEP, (position,)))
    return Reply(tuple(parts), (*actions, *nav))


def picked_hours(fs: RequestFormState) -> list[str]:
    """The periods ticked at the hours step: those picked so far, else the answer's (all
    three for a new form: the default)."""
    if fs.tags is not None:
        return fs.tags
    try:
        return picked_periods(parse_hours(fs.form.draft.student_hours))
    except ValueError:
        return []


def hours_actions(fs: RequestFormState, step: Step) -> list[Action]:
    """One button per period (ticked when picked), then Done."""
    position, picked = str(fs.form.position), picked_hours(fs)
    actions = [
        Action(("✓ " if c.value in picked else "") + c.label, ActionName.FORM_TAG, (position, n))
        for n, c in ((str(i), c) for i, c in enumerate(step.choices))
    ]
    return [*actions, Action("Done", ActionName.FORM_TAGS_DONE, (position,))]


def hours_shown(current: str) -> str:
    try:
        return describe_hours(parse_hours(current)) if current else ""
    except ValueError:
        return current


def date_bounds(fs: RequestFormState, step: Step, today: date, policy: Policy) -> tuple[date, date]:
    """The days a date step can take: from today (the last day: from the first day on)
    up to the horizon."""
    horizon = today + timedelta(days=policy.horizon_days)
    earliest = today
    chosen_from = fs.form.draft.available_from
    if step.field == "available_until" and chosen_from:
        earliest = min(max(today, chosen_from), horizon)
    return earliest, horizon


def calendar_actions(
    fs: RequestFormState, step: Step, today: date, policy: Policy, current: str
) -> list[Action]:
    """One button per day that can be picked in the month shown, then the months before
    and after when they hold such days."""
    earliest, horizon = date_bounds(fs, step, today, policy)
    month = shown_month(fs, earliest, horizon, current)
    position = str(fs.form.position)
    _, days = calendar.monthrange(month.year, month.month)
    actions = [
        Action(str(day.day), ActionName.FORM_DAY, (position, day.isoformat()))
        for day in (month.replace(day=d) for d in range(1, days + 1))
        if earliest <= day <= horizon
    ]
    previous = (month - timedelta(days=1)).replace(day=1)
    following = (month + timedelta(days=32)).replace(day=1)
    if previous >= earliest.replace(day=1):
        actions.append(Action("« Prev", ActionName.FORM_MONTH, (position, previous.isoformat())))
    if following <= horizon:
        actions.append(Action("Next »", ActionName.FORM_MONTH, (position, following.isoformat())))
    return actions


def shown_month(fs: RequestFormState, earliest: date, horizon: date, current: str) -> date:
    """The month chosen with the picker's arrows, else the answer's, else the first one
    that can be picked; never one outside the days that can be picked."""
    for candidate in (fs.month, current):
        try:
            month = date.fromisoformat(candidate or "").replace(day=1)
        except ValueError:
            continue
        if earliest.replace(day=1) <= month <= horizon:
            return month
    return earliest.replace(day=1)
