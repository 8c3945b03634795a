"""Inline keyboards: actions as buttons, and the request form's own layout (a month grid).

Callback data is ``verb:arg:arg`` in at most 64 bytes (the Bot API's limit); it names
ids only, and every press is authorized again by the services.
"""

from __future__ import annotations

import calendar
import functools
from collections.abc import Sequence
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram._utils.types import JSONDict

from bot.handlers.telegram.callback_codec import encode
from bot.handlers.telegram.form_codec import form_data, noop
from core.delivery.messages import Action, ActionName

MAX_CALLBACK_BYTES = 64


def data(*parts: object) -> str:
    text = ":".join(str(p) for p in parts)
    if not 1 <= len(text.encode()) <= MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data out of range: {text[:80]!r}")
    return text


def button(label: str, *parts: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(label[:60], callback_data=data(*parts))


def action_button(action: Action) -> InlineKeyboardButton:
    if action.url:
        return InlineKeyboardButton(action.label[:60], url=action.url)
    return InlineKeyboardButton(action.label[:60], callback_data=encode(action))


def actions_keyboard(actions: Sequence[Action]) -> InlineKeyboardMarkup | None:
    if not actions:
        return None
    row_size = 5 if all(len(a.label) <= 2 for a in actions) else 2
    buttons = [action_button(a) for a in actions]
    return InlineKeyboardMarkup(
        [buttons[i : i + row_size] for i in range(0, len(buttons), row_size)]
    )


def rows(buttons: Sequence[InlineKeyboardButton], per_row: int) -> list[list[InlineKeyboardButton]]:
    return [list(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row)]


def form_button(action: Action) -> InlineKeyboardButton:
    return button(action.label, *form_data(action))


class SharedKeyboard(InlineKeyboardMarkup):
    """A keyboard built once and sent many times: python-telegram-bot turns the markup
    into a dict on every send (a 42-button calendar is 300 objects walked), so the dict
    is kept with it. The markup is immutable, so the dict never goes stale; the library
    only reads it (into JSON)."""

    __slots__ = ("_as_dict",)

    def to_dict(self, recursive: bool = True) -> JSONDict:
        if not recursive:
            return super().to_dict(recursive)
        found: JSONDict | None = getattr(self, "_as_dict", None)
        if found is None:
            found = super().to_dict(recursive)
            with self._unfrozen():
                self._as_dict = found
        return found


def form_keyboard(actions: Sequence[Action]) -> InlineKeyboardMarkup | None:
    """The request form's buttons laid out the Telegram way: choices two to a row, tags
    three, days as a month grid, the answers to change two to a row, then Done, Keep,
    the preview's buttons, Back and Cancel. The same buttons give the same keyboard,
    built once (the form's steps repeat for everyone: issue 14)."""
    return _form_keyboard(tuple(actions))


# A few hundred: the steps' keyboards are shared by everyone at them, and one that names
# a person's own answer (Keep …) is reused only by them; a calendar is ~50 buttons.
@functools.lru_cache(maxsize=256)
def _form_keyboard(actions: tuple[Action, ...]) -> InlineKeyboardMarkup | None:

    def named(*names: ActionName) -> list[Action]:
        return [a for a in actions if a.name in names]

    grid = rows([form_button(a) for a in named(ActionName.FORM_CHOOSE)], 2)
    grid += rows([form_button(a) for a in named(ActionName.FORM_TAG)], 3)
    grid += rows([form_button(a) for a in named(ActionName.FORM_FIELD)], 2)
    grid += month_grid(named(ActionName.FORM_DAY), named(ActionName.FORM_MONTH))
    for group in (
        named(ActionName.FORM_TAGS_DONE),
        named(ActionName.FORM_KEEP),
        named(ActionName.FORM_SUBMIT, ActionName.FORM_EDIT),
        named(ActionName.FORM_BACK, ActionName.FORM_CANCEL),
    ):
        if group:
            grid.append([form_button(a) for a in group])
    return SharedKeyboard(grid) if grid else None


def month_grid(
    days: Sequence[Action], months: Sequence[Action]
) -> list[list[InlineKeyboardButton]]:
    """The month of ``days`` as a calendar: the days that can be picked are buttons, the
    others (past, beyond the horizon) are shown but do nothing; the months before and
    after under it."""
    if not days:
        return []
    step, first = days[0].args[0], date.fromisoformat(days[0].args[1]).replace(day=1)
    pickable = {a.args[1]: a for a in days}
    idle = noop(step)
    header = [button(f"{calendar.month_name[first.month]} {first.year}", *idle)]
    weekdays = [button(d, *idle) for d in ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")]
    grid: list[list[InlineKeyboardButton]] = [header, weekdays]
    for week in calendar.Calendar().monthdatescalendar(first.year, first.month):
        row = []
        for day in week:
            if day.month != first.month:
                row.append(button(" ", *idle))
            elif day.isoformat() in pickable:
                row.append(form_button(pickable[day.isoformat()]))
            else:
                row.append(button(f"·{day.day}", *idle))
        grid.append(row)
    if months:
        grid.append([form_button(a) for a in months])
    return grid
