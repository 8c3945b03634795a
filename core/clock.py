"""Time as a port, so tests and the console can move it and every rule sees the same now."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class MovableClock:
    """A clock that stands still until moved: the console's `/clock +2d` and the tests use it."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = ensure_utc(start) if start is not None else datetime.now(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> datetime:
        with self._lock:
            self._now += delta
            return self._now

    def set(self, instant: datetime) -> datetime:
        with self._lock:
            self._now = ensure_utc(instant)
            return self._now


def ensure_utc(instant: datetime) -> datetime:
    """Reject naive datetimes: a naive value silently means 'the server's zone', a classic bug."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("naive datetime: a time zone is required")
    return instant.astimezone(UTC)
