"""A transition recorded with its count (``EventRepository.add_counted``) gives the same
revision as recording it and then counting: the first of an entity is 1, earlier ones in
the same transaction count, and another entity's events do not. A claim's notices are
keyed by it, so a wrong count would drop a card update as a duplicate or send one twice."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from core.events import EntityKind, TransitionEvent
from db.unit_of_work import SqlAlchemyUnitOfWork

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _event(
    entity_id: int, to_status: str, entity: EntityKind = EntityKind.REQUEST
) -> TransitionEvent:
    return TransitionEvent(entity, entity_id, None, to_status, None, AT, None)


def test_an_event_recorded_with_its_count_reads_as_counted_after(
    session_factory: sessionmaker[Session],
) -> None:
    with SqlAlchemyUnitOfWork(session_factory) as uow:
        assert uow.events.add_counted(_event(7, "OPEN")) == 1
        uow.events.add(_event(7, "CLAIMED"))  # earlier in this transaction: counts
        uow.events.add(_event(8, "OPEN"))  # another request: does not
        uow.events.add(_event(7, "OPEN", EntityKind.SESSION))  # another kind: does not
        assert uow.events.add_counted(_event(7, "OPEN")) == 3
        uow.commit()
    with SqlAlchemyUnitOfWork(session_factory) as uow:
        assert uow.events.add_counted(_event(7, "CLAIMED")) == 4
        assert uow.events.count_for(EntityKind.REQUEST, 7) == 4
        assert uow.events.add_counted(_event(8, "CLAIMED")) == 2
