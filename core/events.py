"""The audit trail: one row per state change, with who did it and why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class EntityKind(StrEnum):
    REQUEST = "request"
    SESSION = "session"
    MENTOR = "mentor"


@dataclass(frozen=True)
class TransitionEvent:
    entity: EntityKind
    entity_id: int
    from_status: str | None
    to_status: str
    actor_id: int | None  # None: the system (expiry, sweeps)
    at: datetime
    reason: str | None = None
    id: int | None = None
