"""The audit trail of transitions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, func, insert, select

from core.events import EntityKind, TransitionEvent
from core.ports import EventRepository
from db.models import TransitionEventRow
from db.repositories.base import SqlRepository, table

EVENTS = table(TransitionEventRow)
_ADD = insert(EVENTS)
_COUNT = select(func.count()).where(
    EVENTS.c.entity == bindparam("entity"), EVENTS.c.entity_id == bindparam("entity_id")
)


def _values(event: TransitionEvent) -> dict[str, Any]:
    return {
        "entity": event.entity.value,
        "entity_id": event.entity_id,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "actor_id": event.actor_id,
        "reason": event.reason,
        "at": event.at,
    }


class SqlEventRepository(SqlRepository, EventRepository):
    def add(self, event: TransitionEvent) -> None:
        # a plain INSERT, not an ORM object flushed later (issue 14: the ORM's
        # unit-of-work was a large share of every transition's cost), built once
        self.session.execute(_ADD, _values(event))

    def add_many(self, events: Sequence[TransitionEvent]) -> None:
        if events:  # one statement, several rows
            self.session.execute(_ADD, [_values(event) for event in events])

    def count_for(self, entity: EntityKind, entity_id: int) -> int:
        self.session.flush()
        found = self.session.scalar(_COUNT, {"entity": entity.value, "entity_id": entity_id})
        return int(found or 0)

    def for_entity(self, entity: EntityKind, entity_id: int) -> list[TransitionEvent]:
        self.session.flush()
        rows = self.session.scalars(
            select(TransitionEventRow)
            .where(
                TransitionEventRow.entity == entity.value, TransitionEventRow.entity_id == entity_id
            )
            .order_by(TransitionEventRow.id)
        )
        return [
            TransitionEvent(
                EntityKind(r.entity),
                r.entity_id,
                r.from_status,
                r.to_status,
                r.actor_id,
                r.at,
                r.reason,
                r.id,
            )
            for r in rows
        ]
