"""A database that drops the connection mid-transaction: the user gets a plain message,
nothing is half-written, and the next attempt works."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import make_url

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


@pytest.mark.postgres
def test_after_the_server_drops_every_connection_one_call_fails_and_the_next_works(
    postgres_schema,
):
    """What a PostgreSQL restart looks like to a running bot (no pre-ping on checkout)."""
    postgres_schema.truncate()
    url = make_url(postgres_schema.url).update_query_dict({"application_name": "mb_restart"})
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    ctx = ServiceContext(
        lambda: SqlAlchemyUnitOfWork(sessions), MovableClock(NOW), Catalogue.load()
    )
    student, _ = register_member(ctx, Identity(Platform.CONSOLE, "ana"), "Ana")
    assert my_requests(ctx, student.id) == []  # the pool now holds a live connection

    with postgres_schema.engine.connect() as admin:
        admin.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = 'mb_restart'"
            )
        )

    outcomes = []
    for _ in range(2):
        try:
            outcomes.append(len(my_requests(ctx, student.id)))
        except TemporaryFailure as failure:
            outcomes.append(failure.user_message)
    assert "try again" in str(outcomes[0])  # the call that met the dead connection
    assert outcomes[-1] == 0  # the next one works again
    assert all(o == 0 or "try again" in str(o) for o in outcomes)
    engine.dispose()
