"""The request form, defined once: its steps, their choices, parsing and checking.

Each front-end renders the same steps its own way (numbered prompts in the console,
inline keyboards on Telegram, a modal on Slack) and feeds answers back through
:func:`answer`; checking reuses :func:`core.validation.validate_draft`, so a step is
accepted exactly when the final submission would accept that field.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from core.catalogue import ALLOWED_DURATIONS, Catalogue
from core.errors import ValidationFailed
from core.hours import PERIODS, describe_hours, parse_hours
from core.policy import Policy
from core.requests import RequestDraft, Urgency
from core.validation import validate_draft

NO_PREFERENCE = "none"


class StepKind(StrEnum):
    CHOICE = "choice"
    TEXT = "text"
    DATE = "date"
    TAGS = "tags"
    HOURS = "hours"  # several periods (buttons) or typed windows, then Done
    PREVIEW = "preview"


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class Step:
    field: str  # the key validate_draft reports errors under
    kind: StepKind
    prompt: str
    choices: tuple[Choice, ...] = ()
    optional: bool = False
    multiline: bool = False


@dataclass
class RequestForm:
    """A form in progress: the draft so far and where the person is in it."""

    draft: RequestDraft = field(default_factory=RequestDraft)
    position: int = 0

    def to_dict(self) -> dict[str, Any]:
        # Saved after every step: ``dataclasses.asdict`` deep-copies field by field
        # through its generic walk, several times slower than this (issue 14).
        draft = self.draft
        data = {name: getattr(draft, name) for name in _DRAFT_FIELDS}
        data["extra"] = dict(draft.extra)
        data["tags"] = list(draft.tags)
        for name in ("available_from", "available_until"):
            data[name] = data[name].isoformat() if data[name] else None
        return {"draft": data, "position": self.position}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RequestForm:
        raw = dict(data["draft"])
        for name in ("available_from", "available_until"):
            raw[name] = date.fromisoformat(raw[name]) if raw.get(name) else None
        return cls(RequestDraft(**raw), int(data.get("position", 0)))


_DRAFT_FIELDS = tuple(f.name for f in fields(RequestDraft))


def form_steps(
    draft: RequestDraft, catalogue: Catalogue, mentors: list[Choice] | None = None
) -> list[Step]:
    """The steps for this draft: the extra fields depend on the chosen session type.

    Asked several times for every press of a form button, and the same for everyone at
    the same point: built once per (type, mentors offered, mentor chosen) and copied
    (issue 14: building them was about a tenth of a form step's own work)."""
    return list(
        _steps(catalogue, draft.session_type, tuple(mentors or ()), draft.preferred_mentor_id)
    )


@functools.lru_cache(maxsize=512)
def _steps(
    catalogue: Catalogue,
    session_type: str,
    mentors: tuple[Choice, ...],
    preferred_mentor_id: int | None,
) -> tuple[Step, ...]:
    draft = RequestDraft(session_type=session_type, preferred_mentor_id=preferred_mentor_id)
    return tuple(_build_steps(draft, catalogue, list(mentors)))


def _build_steps(draft: RequestDraft, catalogue: Catalogue, mentors: list[Choice]) -> list[Step]:
    types = tuple(Choice(t.code, f"{t.describe()} · {t.group.label}") for t in catalogue.types)
    steps = [
        Step("session_type", StepKind.CHOICE, "What kind of session do you need?", types),
        Step("title", StepKind.TEXT, "What do you need help with? (a short title)"),
        Step("description", StepKind.TEXT, "Describe it in a few sentences.", multiline=True),
    ]
    chosen = catalogue.get(draft.session_type)
    for extra in chosen.extra_fields if chosen else ():
        steps.append(Step(f"extra.{extra.name}", StepKind.TEXT, f"{extra.label}?", multiline=True))
    steps += [
        Step(
            "duration_minutes",
            StepKind.CHOICE,
            "How long should the session be?",
            tuple(Choice(str(d), f"{d} min") for d in ALLOWED_DURATIONS),
        ),
        Step(
            "urgency",
            StepKind.CHOICE,
            "How urgent is it?",
            tuple(Choice(u.value, u.value.capitalize()) for u in Urgency),
        ),
        Step("available_from", StepKind.DATE, "From which day are you available?"),
        Step("available_until", StepKind.DATE, "Until which day are you available?"),
        Step(
            "student_hours",
            StepKind.HOURS,
            "Which hours of the day suit you, in your own time zone? Pick one or more, "
            "or type windows such as 18-21 or 06:30-08:00.",
            tuple(Choice(p.value, p.label) for p in PERIODS),
        ),
        Step(
            "tags",
            StepKind.TAGS,
            "Tags help the right mentor find you (optional; pick or type, comma-separated).",
            tuple(Choice(t, t) for t in catalogue.suggested_tags),
            optional=True,
        ),
    ]
    chosen_mentor = _chosen_mentor(draft, mentors or [])
    if mentors:
        prompt = "Would you like a particular mentor? (optional)"
        if chosen_mentor:
            prompt += f" Chosen: {chosen_mentor}; tap to keep or change."
        steps.append(
            Step(
                "preferred_mentor_id",
                StepKind.CHOICE,
                prompt,
                (Choice(NO_PREFERENCE, "No preference"), *mentors),
                optional=True,
            )
        )
        if draft.preferred_mentor_id is not None:
            steps.append(open_to_others_step(chosen_mentor))
    ask = f"Here is your request (preferred mentor: {chosen_mentor})." if chosen_mentor else ""
    steps.append(Step("preview", StepKind.PREVIEW, f"{ask or 'Here is your request.'} Submit it?"))
    return steps


YES, NO = "yes", "no"


def open_to_others_step(chosen_mentor: str | None) -> Step:
    """Asked only when a mentor is chosen: may every mentor take it if they do not?"""
    who = chosen_mentor or "your chosen mentor"
    return Step(
        "open_to_others",
        StepKind.CHOICE,
        f"If {who} does not take it in time (or declines it), may any other mentor take it?",
        (Choice(YES, "Yes, open it to every mentor"), Choice(NO, f"No, only {who}")),
    )


def _chosen_mentor(draft: RequestDraft, mentors: list[Choice]) -> str | None:
    """The name of the mentor the draft already asks for (a form opened from a mentor's
    'Request' button, or an edited request): a choice step shows no selection of its
    own, so the prompts say it, and the preview shows whom the request goes to."""
    if draft.preferred_mentor_id is None:
        return None
    wanted = str(draft.preferred_mentor_id)
    return next((c.label for c in mentors if c.value == wanted), None)


def parse_date(text: str, today: date) -> date:
    """ISO dates, 'today', 'tomorrow', '+3' / '+3d' (days from today), or '25.11.2026'."""
    value = text.strip().lower()
    if value in ("today", "now"):
        return today
    if value == "tomorrow":
        return today + timedelta(days=1)
    offset = re.fullmatch(r"\+(\d{1,3})\s*d?", value)
    if offset:
        return today + timedelta(days=int(offset.group(1)))
    dotted = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", value)
    try:
        if dotted:
            day, month, year = (int(g) for g in dotted.groups())
            return date(year, month, day)
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"I could not read '{text.strip()[:20]}' as a date. Use e.g. {today.isoformat()}, "
            "'tomorrow' or '+3'."
        ) from None


def answer(
    form: RequestForm,
    step: Step,
    value: str,
    catalogue: Catalogue,
    policy: Policy,
    today: date,
) -> None:
    """Record the answer to ``step`` and move on; raises ValidationFailed to ask again."""
    draft = form.draft
    try:
        _store(draft, step, value, today)
    except ValueError as exc:
        raise ValidationFailed({step.field: str(exc)}) from exc
    try:
        validate_draft(draft, catalogue, policy, today)
    except ValidationFailed as failed:
        message = failed.errors.get(step.field)  # later fields are checked when asked
        if message:
            raise ValidationFailed({step.field: message}) from None
    form.position += 1


def _store(draft: RequestDraft, step: Step, value: str, today: date) -> None:
    text = value.strip()
    if step.kind == StepKind.CHOICE and text not in {c.value for c in step.choices}:
        raise ValueError("Please pick one of the listed options.")
    if step.field == "session_type":
        if text != draft.session_type:
            draft.extra = {}
        draft.session_type = text
    elif step.field == "title":
        draft.title = value
    elif step.field == "description":
        draft.description = value
    elif step.field.startswith("extra."):
        draft.extra[step.field.removeprefix("extra.")] = value
    elif step.field == "duration_minutes":
        draft.duration_minutes = int(text)
    elif step.field == "urgency":
        draft.urgency = text
    elif step.field == "available_from":
        draft.available_from = parse_date(text, today)
    elif step.field == "available_until":
        draft.available_until = parse_date(text, today)
    elif step.field == "student_hours":
        draft.student_hours = text
    elif step.field == "tags":
        draft.tags = [t for t in re.split(r"[,\s]+", text) if t] if text not in ("", "-") else []
    elif step.field == "preferred_mentor_id":
        draft.preferred_mentor_id = None if text == NO_PREFERENCE else int(text)
    elif step.field == "open_to_others":
        draft.open_to_others = text == YES


def current_answer(draft: RequestDraft, step: Step) -> str:
    """The draft's answer to ``step`` written as it would be typed again ("" for none), so
    keeping an answer goes through :func:`answer` and is checked like a new one."""
    name = step.field
    if name.startswith("extra."):
        return draft.extra.get(name.removeprefix("extra."), "")
    if name == "duration_minutes":
        return str(draft.duration_minutes) if draft.duration_minutes else ""
    if name in ("available_from", "available_until"):
        day = getattr(draft, name)
        return day.isoformat() if day else ""
    if name == "tags":
        return ", ".join(draft.tags)
    if name == "preferred_mentor_id":
        chosen = draft.preferred_mentor_id
        return NO_PREFERENCE if chosen is None else str(chosen)
    if name == "open_to_others":
        return YES if draft.open_to_others else NO
    value = getattr(draft, name, "")
    return value if isinstance(value, str) else ""


def preview_lines(draft: RequestDraft, catalogue: Catalogue) -> list[tuple[str, str, bool]]:
    """The preview as (label, value, typed): ``typed`` marks what the person wrote, which
    a front-end shows literally (never as markup)."""
    chosen = catalogue.get(draft.session_type)
    return [
        ("Type", chosen.describe() if chosen else draft.session_type, False),
        ("Title", draft.title, True),
        ("Description", draft.description, True),
        *((k.replace("_", " ").capitalize(), v, True) for k, v in draft.extra.items()),
        ("Duration", f"{draft.duration_minutes} min", False),
        ("Urgency", draft.urgency, False),
        ("Available", f"{draft.available_from} to {draft.available_until}", False),
        ("Hours", _hours_line(draft.student_hours), False),
        ("Tags", ", ".join(draft.tags) if draft.tags else "(none)", bool(draft.tags)),
        *_directed_line(draft),
    ]


def _directed_line(draft: RequestDraft) -> list[tuple[str, str, bool]]:
    if draft.preferred_mentor_id is None:
        return []
    answer = "yes" if draft.open_to_others else "no, only the chosen mentor"
    return [("Other mentors may take it", answer, False)]


def _hours_line(text: str) -> str:
    try:
        return describe_hours(parse_hours(text)) + " (your time)"
    except ValueError:
        return text


def preview(draft: RequestDraft, catalogue: Catalogue) -> str:
    return "\n".join(f"{label}: {value}" for label, value, _ in preview_lines(draft, catalogue))
