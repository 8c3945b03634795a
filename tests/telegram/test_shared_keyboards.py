"""The form's keyboards are built once and sent many times (issue 14): what goes over
the wire is exactly what a keyboard built afresh would send."""

from __future__ import annotations

import json

from telegram import InlineKeyboardMarkup

from bot.handlers.telegram.keyboards import SharedKeyboard, form_button, form_keyboard
from core.delivery.messages import Action, ActionName

CALENDAR = [
    *(Action(str(d), ActionName.FORM_DAY, ("6", f"2026-03-{d:02d}")) for d in range(3, 29)),
    Action("April »", ActionName.FORM_MONTH, ("6", "2026-04-01")),
    Action("Back", ActionName.FORM_BACK, ("6",)),
    Action("Cancel", ActionName.FORM_CANCEL, ("6",)),
]


def test_the_same_buttons_give_one_keyboard_whose_wire_form_is_unchanged() -> None:
    first = form_keyboard(CALENDAR)
    again = form_keyboard(list(CALENDAR))  # another person at the same step
    assert isinstance(first, SharedKeyboard) and again is first
    assert isinstance(first, InlineKeyboardMarkup)  # what python-telegram-bot expects
    fresh = InlineKeyboardMarkup(first.inline_keyboard)
    assert json.dumps(first.to_dict()) == json.dumps(fresh.to_dict())
    assert first.to_dict() is first.to_dict()  # built once
    # the calendar's cells and the buttons under it, with their callback data
    flat = [b for row in first.to_dict()["inline_keyboard"] for b in row]
    assert {"text": "Back", "callback_data": form_button(CALENDAR[-2]).callback_data} in flat
    assert sum(1 for b in flat if b["callback_data"].endswith(":day:2026-03-04")) == 1


def test_other_buttons_give_another_keyboard() -> None:
    one = form_keyboard(CALENDAR)
    other = form_keyboard(CALENDAR[:-1])
    assert other is not one
    assert one is not None and other is not None
    labels = [b["text"] for row in other.to_dict()["inline_keyboard"] for b in row]
    assert "Back" in labels and "Cancel" not in labels
