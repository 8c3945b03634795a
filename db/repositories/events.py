"""The audit trail of transitions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, func, insert, literal_column, select

from core.events import EntityKind, TransitionEvent
from core.ports import EventRepository
from db.models import TransitionEventRow
from db.repositories.base import SqlRepository, table

EVENTS = table(TransitionEventRow)
_ADD = insert(EVENTS)
_COUNT = select(func.count()).where(
    EVENTS.c.entity == bindparam("entity"), EVENTS.c.entity_id == bindparam("entity_id")
)


_EARLIER = EVENTS.alias("earlier")
# PostgreSQL: an event and its entity's count with it, in one statement. The count leaves
# the inserted row out by its id, whether a RETURNING subquery sees it or not, and adds
# it back; it sees this transaction's earlier events as any statement does.
_ADD_COUNTED = insert(EVENTS).returning(
    select(func.count())
    .select_from(_EARLIER)
    .where(
        _EARLIER.c.entity == bindparam("of_entity"),
        _EARLIER.c.entity_id == bindparam("of_entity_id"),
        _EARLIER.c.id != literal_column("transition_events.id"),
    )
    .scalar_subquery()
    + 1
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

    def add_counted(self, event: TransitionEvent) -> int:
        if not self.is_postgres:  # SQLite: the insert, then the count
            return super().add_counted(event)
        self.session.flush()  # pending ORM rows count, as in count_for
        params = {
            **_values(event),
            "of_entity": event.entity.value,
            "of_entity_id": event.entity_id,
        }
        return int(self.session.execute(_ADD_COUNTED, params).scalar_one())

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
