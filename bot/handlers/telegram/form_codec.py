"""The request form's buttons ⇄ callback data, in the shapes chats already hold.

``f:c:<step>:<i>`` a choice, ``f:t:<step>:<i>`` a suggested tag, ``f:t:<step>:done``
the tags' Done, ``f:k:<step>`` Keep, ``f:e:<step>:<i>`` an answer to change,
``f:p:<step>:submit|edit`` the preview's buttons,
``f:back``, ``f:cancel``, and the month grid's ``fd:<step>:day:<date>``,
``fd:<step>:month:<first day>`` and ``fd:<step>:noop`` (a header or an empty cell).
Decoding only splits: the form runner checks every argument against the form in
progress.
"""

from __future__ import annotations

from bot.conversation.forms.request_form import Pressed
from core.delivery.messages import Action, ActionName

FORM_PATTERN = r"^fd?:"
PLAIN = {
    ActionName.FORM_CHOOSE: ("f", "c"),
    ActionName.FORM_TAG: ("f", "t"),
    ActionName.FORM_KEEP: ("f", "k"),
    ActionName.FORM_FIELD: ("f", "e"),
    ActionName.FORM_BACK: ("f", "back"),
    ActionName.FORM_CANCEL: ("f", "cancel"),
}
BY_LETTER = {letter: name for name, (_, letter) in PLAIN.items()}
PREVIEW = {ActionName.FORM_SUBMIT: "submit", ActionName.FORM_EDIT: "edit"}
MONTH_GRID = {ActionName.FORM_DAY: "day", ActionName.FORM_MONTH: "month"}


def form_data(action: Action) -> tuple[str, ...]:
    """The parts of a form button's callback data (``keyboards.data`` joins and bounds
    them)."""
    name, args = action.name, action.args
    if name == ActionName.FORM_TAGS_DONE:
        return ("f", "t", args[0], "done")
    if name in PREVIEW:
        return ("f", "p", args[0], PREVIEW[name])
    if name in MONTH_GRID:
        return ("fd", args[0], MONTH_GRID[name], *args[1:])
    return (*PLAIN[name], *args)


def noop(step: str) -> tuple[str, ...]:
    return ("fd", step, "noop")


def decode_form(data: str) -> Pressed | None:
    """The press, or None for a month grid cell that does nothing; an unknown shape is a
    press of nothing, which the runner answers as a stale button."""
    head, *parts = data.split(":")
    if head == "fd":
        step, what, value = [*parts, "", "", ""][:3]
        if what == "noop":
            return None
        found = {v: k for k, v in MONTH_GRID.items()}.get(what, "")
        return Pressed(found, (step, value))
    kind, rest = (parts[0], tuple(parts[1:])) if parts else ("", ())
    if kind == "t" and rest[1:] == ("done",):
        return Pressed(ActionName.FORM_TAGS_DONE, rest[:1])
    if kind == "p":
        found = {v: k for k, v in PREVIEW.items()}.get(rest[1] if len(rest) == 2 else "", "")
        return Pressed(found, rest[:1])
    if kind in ("back", "cancel"):
        return Pressed(BY_LETTER[kind], ())
    return Pressed(BY_LETTER.get(kind, ""), rest)
