"""The composition root: the one place that knows which adapter serves which port."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from bot.config import Settings
from core.catalogue import Catalogue
from core.clock import Clock, SystemClock
from core.services.context import ServiceContext
from db.engine import make_engine, make_session_factory
from db.migrate import upgrade
from db.unit_of_work import SqlAlchemyUnitOfWork


@dataclass
class App:
    settings: Settings
    engine: Engine
    ctx: ServiceContext

    def close(self) -> None:
        self.engine.dispose()


def build_app(
    settings: Settings | None = None, clock: Clock | None = None, migrate: bool = True
) -> App:
    """Build the services over the configured database, migrating it first by default."""
    settings = settings or Settings()
    if migrate:
        upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    ctx = ServiceContext(
        uow_factory=lambda: SqlAlchemyUnitOfWork(sessions),
        clock=clock or SystemClock(),
        catalogue=Catalogue.load(settings.catalogue_path),
        policy=settings.policy(),
    )
    return App(settings=settings, engine=engine, ctx=ctx)
