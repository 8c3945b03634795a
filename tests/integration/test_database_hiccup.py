"""A database that drops the connection mid-transaction: the user gets a plain message,
nothing is half-written, and the next attempt works."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event, text

from core.catalogue import Catalogue
from core.clock import MovableClock
from core.errors import TemporaryFailure
from core.members import Identity, Platform
from core.requests import RequestDraft
from core.services.context import ServiceContext
from core.services.members import register_member
from core.services.requests import my_requests, submit_request
from db.engine import make_engine, make_session_factory
from db.migrate import upgrade
from db.unit_of_work import SqlAlchemyUnitOfWork

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class ConnectionDropsOnCommit(SqlAlchemyUnitOfWork):
    """The server kills this transaction's connection just before it commits."""

    def commit(self) -> None:
        self.session.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
        super().commit()


def _draft() -> RequestDraft:
    return RequestDraft(
        session_type="resume-review",
        title="Review my CV",
        description="Two pages, backend roles.",
        available_from=date(2026, 3, 3),
        available_until=date(2026, 3, 10),
    )


@pytest.mark.postgres
def test_a_dropped_connection_tells_the_student_to_retry_and_stores_nothing(postgres_schema):
    postgres_schema.truncate()
    engine = make_engine(postgres_schema.url)
    sessions = make_session_factory(engine)
    flaky = {"on": False}

    def uow_factory() -> SqlAlchemyUnitOfWork:
        return ConnectionDropsOnCommit(sessions) if flaky["on"] else SqlAlchemyUnitOfWork(sessions)

    ctx = ServiceContext(uow_factory, MovableClock(NOW), Catalogue.load())
    student, _ = register_member(ctx, Identity(Platform.CONSOLE, "ana"), "Ana")

    flaky["on"] = True
    with pytest.raises(TemporaryFailure) as failure:
        submit_request(ctx, student.id, _draft())
    assert "try again" in failure.value.user_message
    assert "Traceback" not in failure.value.user_message

    flaky["on"] = False
    assert my_requests(ctx, student.id) == []
    request = submit_request(ctx, student.id, _draft())
    assert [r.id for r in my_requests(ctx, student.id)] == [request.id]
    engine.dispose()


def test_a_locked_sqlite_database_is_reported_as_busy(tmp_path):
    """Another process holding SQLite's write lock past the timeout gives a busy message."""
    url = f"sqlite:///{tmp_path / 'locked.db'}"
    upgrade(url)
    engine = make_engine(url)

    @event.listens_for(engine, "connect")
    def _impatient(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA busy_timeout=100")

    sessions = make_session_factory(engine)
    ctx = ServiceContext(
        lambda: SqlAlchemyUnitOfWork(sessions), MovableClock(NOW), Catalogue.load()
    )
    student, _ = register_member(ctx, Identity(Platform.CONSOLE, "ana"), "Ana")

    holder = sqlite3.connect(tmp_path / "locked.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(TemporaryFailure) as failure:
            submit_request(ctx, student.id, _draft())
        assert "nothing was changed" in failure.value.user_message
    finally:
        holder.rollback()
        holder.close()
    assert my_requests(ctx, student.id) == []
    engine.dispose()
