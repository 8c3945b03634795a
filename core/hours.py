"""The student's own hours: when in their day they can meet, in their own zone.

The form offers three periods (mornings, afternoons, evenings; all three by default) and
accepts typed windows such as ``19-21`` or ``06:30-08:00``; a window that crosses
midnight (``22-02``) is two windows. Slots are offered only inside these hours, so
nobody is booked at night unless they said so. Stored as canonical text
(``07:00-12:00,17:00-22:00``: sorted, touching windows merged), which is also how an
answer is typed again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DAY = 24 * 60


@dataclass(frozen=True, order=True)
class HourRange:
    """From ``start`` to ``end`` minutes after local midnight (``end`` excluded, ≤ 24:00)."""

    start: int
    end: int

    def __str__(self) -> str:
        return f"{_clock(self.start)}-{_clock(self.end)}"

    def contains(self, other: HourRange) -> bool:
        return self.start <= other.start and other.end <= self.end


@dataclass(frozen=True)
class Period:
    value: str
    label: str
    hours: HourRange


PERIODS = (
    Period("mornings", "Mornings 07-12", HourRange(7 * 60, 12 * 60)),
    Period("afternoons", "Afternoons 12-17", HourRange(12 * 60, 17 * 60)),
    Period("evenings", "Evenings 17-22", HourRange(17 * 60, 22 * 60)),
)
DEFAULT_HOURS: tuple[HourRange, ...] = (HourRange(7 * 60, 22 * 60),)
DEFAULT_TEXT = "07:00-22:00"
_WINDOW = re.compile(r"^(\d{1,2})(?:[:.h](\d{2}))?\s*(?:-|\u2013|to)\s*(\d{1,2})(?:[:.h](\d{2}))?$")
_EVERY = {"any", "anytime", "any time", "all day", "all", "24h"}


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def merge(ranges: list[HourRange] | tuple[HourRange, ...]) -> tuple[HourRange, ...]:
    """Sorted, with overlapping and touching windows joined."""
    merged: list[HourRange] = []
    for item in sorted(ranges):
        if merged and item.start <= merged[-1].end:
            last = merged.pop()
            item = HourRange(last.start, max(last.end, item.end))
        merged.append(item)
    return tuple(merged)


def _window(text: str) -> list[HourRange]:
    found = _WINDOW.match(text)
    if not found:
        raise ValueError(
            f"I could not read '{text[:20]}' as hours. Pick mornings, afternoons or "
            "evenings, or type a window such as 18-21 or 06:30-08:00."
        )
    h1, m1, h2, m2 = (int(g) if g else 0 for g in found.groups())
    if h1 > 24 or h2 > 24 or m1 > 59 or m2 > 59 or (h1 == 24 and m1) or (h2 == 24 and m2):
        raise ValueError(f"'{text[:20]}' is not a time of day (00:00 to 24:00).")
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if start == end:
        raise ValueError(f"'{text[:20]}' starts and ends at the same time.")
    if start == DAY:
        start = 0
    if start < end:
        return [HourRange(start, end)]
    return [r for r in (HourRange(start, DAY), HourRange(0, end)) if r.start < r.end]


def parse_hours(text: str) -> tuple[HourRange, ...]:
    """Periods (by name or label) and windows, comma-separated; raises ValueError."""
    pieces = [p.strip() for p in re.split(r"[,;\n]|\band\b", text.casefold()) if p.strip()]
    ranges: list[HourRange] = []
    for piece in pieces:
        period = next(
            (p for p in PERIODS if piece in (p.value, p.value.rstrip("s"), p.label.casefold())),
            None,
        )
        if period is not None:
            ranges.append(period.hours)
        elif piece in _EVERY:
            ranges.append(HourRange(0, DAY))
        else:
            ranges += _window(piece.replace(" ", ""))
    if not ranges:
        raise ValueError("Please pick at least one part of the day.")
    return merge(ranges)


def format_hours(ranges: tuple[HourRange, ...]) -> str:
    """The canonical text: what is stored, and what typing the answer again gives."""
    return ",".join(str(r) for r in merge(list(ranges)))


def picked_periods(ranges: tuple[HourRange, ...]) -> list[str]:
    """The periods these hours cover whole (ticked on the form's buttons)."""
    return [p.value for p in PERIODS if any(r.contains(p.hours) for r in ranges)]


def describe_hours(ranges: tuple[HourRange, ...]) -> str:
    """For people: 'mornings, evenings (07:00-12:00, 17:00-22:00)'."""
    merged = merge(list(ranges))
    if merged == (HourRange(0, DAY),):
        return "any time of day (00:00-24:00)"
    windows = ", ".join(str(r) for r in merged)
    names = picked_periods(merged)
    covered = merge([p.hours for p in PERIODS if p.value in names])
    if names and covered == merged:
        return f"{', '.join(names)} ({windows})"
    return windows
