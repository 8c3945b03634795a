"""Reading the few free-form arguments front-ends accept (availability windows)."""

from __future__ import annotations

from datetime import time

from core.errors import ValidationFailed
from core.mentors import WEEKDAY_NAMES

WINDOW_USAGE = "Usage: /availability add Mon 18:00-20:00"


def parse_window(args: list[str]) -> tuple[int, time, time]:
    """['Mon', '18:00-20:00'] -> (0, 18:00, 20:00), with a usage message when wrong."""
    if len(args) != 2 or "-" not in args[1]:
        raise ValidationFailed({"window": WINDOW_USAGE})
    day = args[0][:3].lower()
    names = [n[:3].lower() for n in WEEKDAY_NAMES]
    if day not in names:
        raise ValidationFailed({"weekday": f"Unknown day '{args[0][:20]}'. {WINDOW_USAGE}"})
    try:
        start, end = (time.fromisoformat(part.strip()) for part in args[1].split("-", 1))
    except ValueError:
        raise ValidationFailed({"window": f"Times look like 18:00. {WINDOW_USAGE}"}) from None
    return names.index(day), start, end
