"""Inline keyboards: core actions as buttons, choices, slots and a calendar.

Callback data is ``verb:arg:arg`` in at most 64 bytes (the Bot API's limit); it names
ids only, and every press is authorized again by the services.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.handlers.telegram.callback_codec import encode
from core.delivery.messages import Action

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


def calendar_keyboard(month: date, today: date, horizon: date, prefix: str) -> InlineKeyboardMarkup:
    """A month grid; past days and days beyond the horizon are shown but not pressable."""
    first = month.replace(day=1)
    header = [button(f"{calendar.month_name[first.month]} {first.year}", prefix, "noop")]
    weekdays = [button(d, prefix, "noop") for d in ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")]
    grid: list[list[InlineKeyboardButton]] = [header, weekdays]
    for week in calendar.Calendar().monthdatescalendar(first.year, first.month):
        row = []
        for day in week:
            if day.month != first.month:
                row.append(button(" ", prefix, "noop"))
            elif day < today or day > horizon:
                row.append(button(f"·{day.day}", prefix, "noop"))
            else:
                row.append(button(str(day.day), prefix, "day", day.isoformat()))
        grid.append(row)
    previous = (first - timedelta(days=1)).replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    navigation = []
    if previous >= today.replace(day=1):
        navigation.append(button("« Prev", prefix, "month", previous.isoformat()))
    if following <= horizon:
        navigation.append(button("Next »", prefix, "month", following.isoformat()))
    if navigation:
        grid.append(navigation)
    return InlineKeyboardMarkup(grid)
