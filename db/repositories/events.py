"""The audit trail of transitions."""

from __future__ import annotations

from sqlalchemy import func, insert, select

from core.events import EntityKind, TransitionEvent
from core.ports import EventRepository
from db.models import TransitionEventRow
from db.repositories.base import SqlRepository, table

EVENTS = table(TransitionEventRow)


class SqlEventRepository(SqlRepository, EventRepository):
    def add(self, event: TransitionEvent) -> None:
        # a plain INSERT now, not an ORM object flushed later (issue 14: the ORM's
        # unit-of-work was a large share of every transition's cost)
        self.session.execute(
            insert(EVENTS).values(
                entity=event.entity.value,
                entity_id=event.entity_id,
                from_status=event.from_status,
                to_status=event.to_status,
                actor_id=event.actor_id,
                reason=event.reason,
                at=event.at,
            )
        )

    def count_for(self, entity: EntityKind, entity_id: int) -> int:
        self.session.flush()
        return int(
            self.session.scalar(
                select(func.count()).where(
                    TransitionEventRow.entity == entity.value,
                    TransitionEventRow.entity_id == entity_id,
                )
            )
            or 0
        )

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
