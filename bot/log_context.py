"""Which update and which person a log line is about, for structured logs.

The front-ends set these when an update or request starts (``bind``); the JSON log
format adds them to every line logged meanwhile, from any module, without passing them
around. Context variables follow each update's own task, so concurrent updates do not
mix them up. Ids only: never what anyone wrote.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar

update_id: ContextVar[str | None] = ContextVar("mentorbot_update_id", default=None)
person_id: ContextVar[int | None] = ContextVar("mentorbot_person_id", default=None)


def bind(update: str | None = None, person: int | None = None) -> None:
    """Name the update (``tg:123``, ``slack:trigger:…``) and/or the person (member id)
    being handled by the current task."""
    if update is not None:
        update_id.set(update)
    if person is not None:
        person_id.set(person)


class ContextFilter(logging.Filter):
    """Puts ``update_id`` and ``person_id`` on each record (None outside an update)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.update_id = update_id.get()
        record.person_id = person_id.get()
        return True
