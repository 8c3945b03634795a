"""Modals: the request form (the steps of ``core.forms`` as input blocks), the mentor
application (the fields of ``bot.conversation.forms.mentor_application``), feedback,
mentor notes and availability (each weekly window with its Remove button).

Each input block's ``block_id`` is the field name ``core.validation`` reports errors
under, so ``ValidationFailed.errors`` map straight onto the blocks (``response_action:
errors``) and every value typed stays in the modal.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.conversation.forms.mentor_application import FIELDS as APPLICATION_FIELDS
from bot.conversation.forms.mentor_application import max_length
from bot.handlers.slack.blocks import Block, button, option, plain, section, sections
from core.catalogue import Catalogue
from core.forms import YES, Choice, Step, StepKind, form_steps, open_to_others_step
from core.hours import PERIODS, merge, parse_hours, picked_periods
from core.mentors import AvailabilityWindow
from core.policy import Policy
from core.requests import RequestDraft

REQUEST_CALLBACK = "request_form"
APPLICATION_CALLBACK = "mentor_application"
FEEDBACK_CALLBACK = "feedback_form"
NOTES_CALLBACK = "notes_form"
AVAILABILITY_CALLBACK = "availability_form"
REASON_CALLBACK = "reason_form"
REMOVE_WINDOW_ACTION = "avail:remove"
MAX_DURATION = 480  # minutes: what core.services.outcomes accepts as a real duration
TYPE_ACTION = "form:type"
VALUE = "v"
NEW_TAGS = "tags_new"
TYPED_HOURS = "student_hours_typed"
MAX_OPTIONS = 100
TEXT_LIMIT = 3000  # plain_text_input max_length ceiling


def _input(
    block_id: str,
    label: str,
    element: Block,
    *,
    optional: bool = False,
    dispatch: bool = False,
    hint: str | None = None,
) -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label, 2000),
        "element": element,
        "optional": optional,
    }
    if dispatch:
        block["dispatch_action"] = True
    if hint:
        block["hint"] = plain(hint, 2000)
    return block


def _text_input(value: str, *, multiline: bool = False, max_length: int = TEXT_LIMIT) -> Block:
    element: Block = {
        "type": "plain_text_input",
        "action_id": VALUE,
        "multiline": multiline,
        "max_length": min(max_length, TEXT_LIMIT),
    }
    if value:
        element["initial_value"] = value[: element["max_length"]]
    return element


def _select(choices: list[Choice], current: str | None, action_id: str = VALUE) -> Block:
    options = [option(c.label, c.value) for c in choices[:MAX_OPTIONS]]
    element: Block = {"type": "static_select", "action_id": action_id, "options": options}
    chosen = next((o for o in options if o["value"] == current), None)
    if chosen is not None:
        element["initial_option"] = chosen
    return element


def request_modal(
    draft: RequestDraft,
    catalogue: Catalogue,
    policy: Policy,
    mentors: list[Choice],
    meta: dict[str, Any],
    notice: str | None = None,
    banner: str | None = None,
) -> dict[str, Any]:
    """The whole form in one modal, rendered from ``core.forms.form_steps``; ``notice``
    (a limit reached by the type just picked) is shown right under the type, ``banner``
    (the form being saved, or why it was not) above everything."""
    blocks: list[Block] = [section(banner)] if banner else []
    limits = {"title": policy.title_max, "description": policy.description_max}
    for step in form_steps(draft, catalogue, mentors):
        name = step.field
        if step.kind == StepKind.PREVIEW:
            continue
        if name == "session_type":
            blocks.append(
                _input(
                    name,
                    step.prompt,
                    _select(list(step.choices), draft.session_type or None, TYPE_ACTION),
                    dispatch=True,
                )
            )
            if notice:
                blocks.append(section(f"⚠️ {notice}"))
        elif name == "duration_minutes":
            chosen_type = catalogue.get(draft.session_type)
            current = draft.duration_minutes or (
                chosen_type.default_duration if chosen_type else None
            )
            options = [option(c.label, c.value) for c in step.choices]
            element: Block = {"type": "radio_buttons", "action_id": VALUE, "options": options}
            found = next((o for o in options if o["value"] == str(current)), None)
            if found is not None:
                element["initial_option"] = found
            blocks.append(_input(name, step.prompt, element))
        elif name == "urgency":
            blocks.append(_input(name, step.prompt, _select(list(step.choices), draft.urgency)))
        elif step.kind == StepKind.DATE:
            picker: Block = {"type": "datepicker", "action_id": VALUE}
            current_date = getattr(draft, name)
            if current_date:
                picker["initial_date"] = current_date.isoformat()
            blocks.append(_input(name, step.prompt, picker))
        elif name == "tags":
            suggested = {c.value for c in step.choices}
            multi: Block = {
                "type": "multi_static_select",
                "action_id": VALUE,
                "options": [option(c.label, c.value) for c in step.choices[:MAX_OPTIONS]],
            }
            picked = [option(t, t) for t in draft.tags if t in suggested]
            if picked:
                multi["initial_options"] = picked
            if multi["options"]:
                blocks.append(_input(name, "Tags (optional)", multi, optional=True))
            typed = ", ".join(t for t in draft.tags if t not in suggested)
            blocks.append(
                _input(
                    NEW_TAGS,
                    "Other tags (comma-separated)",
                    _text_input(typed, max_length=300),
                    optional=True,
                    hint="Tags help the right mentor find you.",
                )
            )
        elif step.kind == StepKind.HOURS:
            blocks += _hours_blocks(step, draft.student_hours)
        elif name == "preferred_mentor_id":
            current_mentor = str(draft.preferred_mentor_id) if draft.preferred_mentor_id else None
            blocks.append(
                _input(
                    name,
                    "Preferred mentor (optional)",
                    _select(list(step.choices), current_mentor),
                    optional=True,
                )
            )
            blocks.append(_open_to_others(draft))  # the mentor may be picked just above
        elif name == "open_to_others":
            continue  # shown with the mentor select, whichever mentor is picked there
        else:  # title, description, extra.*
            value = (
                draft.extra.get(name.removeprefix("extra."), "")
                if name.startswith("extra.")
                else str(getattr(draft, name))
            )
            blocks.append(
                _input(
                    name,
                    step.prompt,
                    _text_input(value, multiline=step.multiline, max_length=limits.get(name, 2000)),
                )
            )
    return {
        "type": "modal",
        "callback_id": REQUEST_CALLBACK,
        "title": plain("Mentorship request", 24),
        "submit": plain("Submit", 24),
        "close": plain("Cancel", 24),
        "private_metadata": json.dumps(meta)[:3000],
        "blocks": blocks,
    }


SAVED_CALLBACK = "request_saved"


def saved_modal(text: str) -> dict[str, Any]:
    """What the form turns into once the request is stored: the note, and Close."""
    return {
        "type": "modal",
        "callback_id": SAVED_CALLBACK,
        "title": plain("Mentorship request", 24),
        "close": plain("Close", 24),
        "blocks": sections(text),
    }


def _hours_blocks(step: Step, current: str) -> list[Block]:
    """The periods as checkboxes (the answer's ticked: all three by default), and the
    windows that are no period in a text input beside them."""
    try:
        hours = parse_hours(current)
    except ValueError:
        hours = ()
    picked = picked_periods(hours)
    options = [option(c.label, c.value) for c in step.choices]
    boxes: Block = {"type": "checkboxes", "action_id": VALUE, "options": options}
    if picked:
        boxes["initial_options"] = [o for o in options if o["value"] in picked]
    covered = merge([p.hours for p in PERIODS if p.value in picked])
    others = ",".join(str(r) for r in hours if not any(c.contains(r) for c in covered))
    label = "Which hours of the day suit you, in your own time zone?"
    typed = _text_input(others, max_length=200)
    return [
        _input(step.field, label, boxes, optional=True),
        _input(TYPED_HOURS, "Other hours (optional)", typed, optional=True, hint="e.g. 18-21"),
    ]


def _open_to_others(draft: RequestDraft) -> Block:
    """The directed-request question, asked in the modal whenever a mentor can be picked:
    unanswered (or no mentor picked) means no other mentor takes it."""
    step = open_to_others_step(None)
    options = [option(c.label, c.value) for c in step.choices]
    element: Block = {"type": "radio_buttons", "action_id": VALUE, "options": options}
    if draft.preferred_mentor_id is not None:
        element["initial_option"] = options[0 if draft.open_to_others else 1]
    return _input(
        "open_to_others",
        "If you picked a mentor: may others take it if they do not?",
        element,
        optional=True,
        hint=step.prompt,
    )


def application_modal(policy: Policy) -> dict[str, Any]:
    """The mentor application, one input per field; each field's name is its block id,
    which is where the shared reading reports its errors (``response_action: errors``)."""
    blocks = [
        section("Tell students who you are. An admin reviews each application."),
        *(
            _input(
                f.name,
                f.label,
                _text_input("", multiline=f.multiline, max_length=max_length(f, policy)),
                optional=f.optional,
                hint=f.hint or None,
            )
            for f in APPLICATION_FIELDS
        ),
    ]
    return {
        "type": "modal",
        "callback_id": APPLICATION_CALLBACK,
        "title": plain("Become a mentor", 24),
        "submit": plain("Apply", 24),
        "close": plain("Cancel", 24),
        "blocks": blocks,
    }


def _value(element: dict[str, Any]) -> Any:
    kind = element.get("type")
    if kind in ("static_select", "radio_buttons"):
        return (element.get("selected_option") or {}).get("value")
    if kind in ("multi_static_select", "checkboxes"):
        return [o.get("value") for o in element.get("selected_options") or []]
    if kind == "datepicker":
        return element.get("selected_date")
    if kind == "timepicker":
        return element.get("selected_time")
    return element.get("value")


def state_values(view: dict[str, Any]) -> dict[str, Any]:
    """``{block_id: value}`` from a view's state, whatever each element's action id."""
    values = ((view.get("state") or {}).get("values")) or {}
    out: dict[str, Any] = {}
    for block_id, elements in values.items():
        for element in (elements or {}).values():
            out[block_id] = _value(element or {})
    return out


def draft_from_view(view: dict[str, Any]) -> tuple[RequestDraft, dict[str, str]]:
    """The draft as typed, plus errors for values that cannot even be read."""
    values = state_values(view)
    errors: dict[str, str] = {}
    draft = RequestDraft()
    draft.session_type = str(values.get("session_type") or "")
    draft.title = str(values.get("title") or "")
    draft.description = str(values.get("description") or "")
    draft.extra = {
        k.removeprefix("extra."): str(v or "") for k, v in values.items() if k.startswith("extra.")
    }
    duration = str(values.get("duration_minutes") or "")
    draft.duration_minutes = int(duration) if duration.isdigit() and len(duration) < 4 else None
    draft.urgency = str(values.get("urgency") or "normal")
    for name in ("available_from", "available_until"):
        raw = values.get(name)
        if raw:
            try:
                setattr(draft, name, date.fromisoformat(str(raw)))
            except ValueError:
                errors[name] = "Please pick a day from the calendar."
    picked = [str(t) for t in values.get("tags") or [] if t]
    typed = [t for t in re.split(r"[,\s]+", str(values.get(NEW_TAGS) or "")) if t]
    draft.tags = list(dict.fromkeys([*picked, *typed]))
    periods = [str(p) for p in values.get("student_hours") or [] if p]
    typed_hours = str(values.get(TYPED_HOURS) or "")
    windows = [w.strip() for w in re.split(r"[,;]", typed_hours) if w.strip()]
    draft.student_hours = ",".join([*periods, *windows])
    mentor = str(values.get("preferred_mentor_id") or "")
    draft.preferred_mentor_id = int(mentor) if mentor.isdigit() and len(mentor) <= 18 else None
    draft.open_to_others = values.get("open_to_others") == YES
    return draft, errors


def errors_for_view(errors: dict[str, str], view: dict[str, Any]) -> dict[str, str]:
    """Field errors keyed by the view's input block ids (Slack refuses unknown ids)."""
    block_ids = [b.get("block_id") for b in view.get("blocks") or [] if b.get("type") == "input"]
    out: dict[str, str] = {}
    for name, message in errors.items():
        target = name
        if name == "tags":
            target = NEW_TAGS
        if target not in block_ids:
            target = "title" if "title" in block_ids else (block_ids[0] if block_ids else name)
        out[target] = f"{out[target]} {message}" if target in out else message
    return out


def meta_of(view: dict[str, Any]) -> dict[str, Any]:
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}


def feedback_modal(session_id: int) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": FEEDBACK_CALLBACK,
        "title": plain("Your feedback", 24),
        "submit": plain("Send", 24),
        "close": plain("Skip", 24),
        "private_metadata": json.dumps({"session": session_id}),
        "blocks": [
            _input(
                "feedback",
                "Anything you'd like to tell your mentor?",
                _text_input("", multiline=True, max_length=2000),
            )
        ],
    }


def reason_modal(action: str, ref: int, title: str, prompt: str, max_length: int) -> dict[str, Any]:
    """Why, before a cancel or release goes ahead; left empty, it goes ahead without."""
    return {
        "type": "modal",
        "callback_id": REASON_CALLBACK,
        "title": plain(title, 24),
        "submit": plain("Go ahead", 24),
        "close": plain("Keep it", 24),
        "private_metadata": json.dumps({"action": action, "ref": ref}),
        "blocks": [
            _input("reason", prompt, _text_input("", max_length=max_length), optional=True),
        ],
    }


def notes_modal(session_id: int, notes: str = "", minutes: int | None = None) -> dict[str, Any]:
    duration: Block = {
        "type": "number_input",
        "action_id": VALUE,
        "is_decimal_allowed": False,
        "min_value": "1",
        "max_value": str(MAX_DURATION),
    }
    if minutes:
        duration["initial_value"] = str(minutes)
    return {
        "type": "modal",
        "callback_id": NOTES_CALLBACK,
        "title": plain("Session notes", 24),
        "submit": plain("Save", 24),
        "close": plain("Cancel", 24),
        "private_metadata": json.dumps({"session": session_id}),
        "blocks": [
            _input("duration_minutes", "Real duration (minutes)", duration, optional=True),
            _input(
                "mentor_notes",
                "Private notes (only you and admins see them)",
                _text_input(notes, multiline=True, max_length=3000),
                optional=True,
            ),
        ],
    }


def windows_summary(windows: Sequence[AvailabilityWindow], zone: str) -> str:
    """The mentor's weekly windows in words for Slack (``bot.views.windows_text`` names
    the Telegram command)."""
    if not windows:
        return f"No weekly availability yet: add a window with Edit availability (times in {zone})."
    lines = "\n".join(f"  {w.describe()}" for w in windows)
    return f"Your weekly availability ({zone}):\n{lines}"


def availability_modal(
    windows: Sequence[AvailabilityWindow], zone: str, note: str | None = None
) -> dict[str, Any]:
    """The windows, each with a Remove button (its value is the window id, checked again
    against the presser on press), and the fields to add one."""
    days = [
        option(d, d) for d in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
    ] + [option("Sunday", "Sunday")]
    blocks: list[Block] = []
    if note:
        blocks.append(section(note))
    if windows:
        blocks.append(section(f"Your weekly windows ({zone}):"))
    else:
        blocks.append(section(f"No weekly windows yet. Add one below (times in {zone})."))
    for index, window in enumerate(w for w in windows if w.id is not None):
        row = section(window.describe())
        row["block_id"] = f"window:{window.id}"
        row["accessory"] = button(
            "Remove", f"{REMOVE_WINDOW_ACTION}:{index}", str(window.id), "danger"
        )
        blocks.append(row)
    return {
        "type": "modal",
        "callback_id": AVAILABILITY_CALLBACK,
        "title": plain("Availability", 24),
        "submit": plain("Add window", 24),
        "close": plain("Done", 24),
        "blocks": [
            *blocks,
            _input(
                "weekday", "Day", {"type": "static_select", "action_id": VALUE, "options": days}
            ),
            _input("start", "From", {"type": "timepicker", "action_id": VALUE}),
            _input("end", "Until", {"type": "timepicker", "action_id": VALUE}),
        ],
    }
