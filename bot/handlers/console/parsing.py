"""Reading command arguments, with usage messages instead of tracebacks."""

from __future__ import annotations

import re
from datetime import timedelta

from core.errors import ValidationFailed


def number(args: list[str], index: int, usage: str) -> int:
    try:
        return int(args[index].lstrip("#"))
    except (IndexError, ValueError):
        raise ValidationFailed({"args": f"Usage: {usage}"}) from None


def duration(text: str) -> timedelta:
    """'+2d', '+3h', '+90m', '+1d12h' (also without the plus)."""
    parts = re.findall(r"(\d+)\s*([dhm])", text.lower())
    if not parts or re.sub(r"[\s+\ddhm]", "", text.lower()):
        raise ValidationFailed({"clock": "Move the clock with e.g. /clock +2d, +3h or +90m."})
    units = {"d": "days", "h": "hours", "m": "minutes"}
    total = timedelta()
    for amount, unit in parts:
        total += timedelta(**{units[unit]: int(amount)})
    if total > timedelta(days=400):
        raise ValidationFailed({"clock": "That is more than a year; move in smaller steps."})
    return total
