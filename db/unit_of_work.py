"""The SQLAlchemy unit of work: one transaction, rolled back unless committed.

Database failures that a retry may cure (a dropped connection, a lock timeout, a
deadlock, SQLite's "database is locked") leave here as :class:`core.errors.TemporaryFailure`,
whose message is safe to show; the transaction was rolled back, so nothing was half-done.
A deadlock or serialization failure leaves as its subclass ``ConflictFailure``, which
``core.transactions.run_retrying`` (around every service call) retries a few times first.
"""

from __future__ import annotations

import contextlib
from types import TracebackType
from typing import Self

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from core.errors import TemporaryFailure
from core.observe import observer
from core.ports import UnitOfWork
from core.transactions import ConflictFailure, note_commit
from db.repositories import (
    SqlEventRepository,
    SqlMemberRepository,
    SqlMentorRepository,
    SqlNotificationRepository,
    SqlOutboxRepository,
    SqlRequestRepository,
    SqlSessionRepository,
)
from db.repositories.session_notes import SqlSessionNoteRepository

# PostgreSQL's deadlock_detected and serialization_failure: run the transaction again
CONFLICT_STATES = frozenset({"40P01", "40001"})


def is_conflict(exc: BaseException) -> bool:
    """A deadlock or serialization failure (the database chose this transaction)."""
    if not isinstance(exc, DBAPIError):
        return False
    return getattr(exc.orig, "sqlstate", None) in CONFLICT_STATES


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, OperationalError | PoolTimeout):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


class SqlAlchemyUnitOfWork(UnitOfWork):
    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory

    def __enter__(self) -> Self:
        self.session = self._session_factory()
        self.members = SqlMemberRepository(self.session)
        self.mentors = SqlMentorRepository(self.session)
        self.requests = SqlRequestRepository(self.session)
        self.sessions = SqlSessionRepository(self.session)
        self.events = SqlEventRepository(self.session)
        self.session_notes = SqlSessionNoteRepository(self.session)
        self.notifications = SqlNotificationRepository(self.session)
        self.outbox = SqlOutboxRepository(self.session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.rollback()
        finally:
            self.session.close()
        if exc is not None and is_conflict(exc):
            # core.transactions.run_retrying runs the service again before anyone is told
            observer().database_error("conflict")
            raise ConflictFailure() from exc
        if exc is not None and is_transient(exc):
            observer().database_error("temporary")
            raise TemporaryFailure() from exc

    def commit(self) -> None:
        self.session.commit()
        note_commit()

    def rollback(self) -> None:
        # If the connection is gone there is nothing to undo; closing the session discards it.
        with contextlib.suppress(DBAPIError):
            self.session.rollback()
