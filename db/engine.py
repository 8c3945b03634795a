"""Engines and sessions for SQLite (embedded default) and PostgreSQL (production).

SQLite needs help to be a safe place for several writers: by default pysqlite starts
transactions lazily and only takes the write lock at the first write, so two claims can both
read "OPEN" and then one fails with "database is locked". Following SQLAlchemy's documented
recipe, the driver's own transaction handling is switched off and every transaction starts
with ``BEGIN IMMEDIATE``, which takes the write lock up front and makes concurrent
submissions and claims queue behind each other (up to ``busy_timeout``).
"""

from __future__ import annotations

import sqlite3

import orjson
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

from db.lean_cursor import LazyDescriptionCursor

SQLITE_BUSY_TIMEOUT_MS = 30_000


def normalize_url(url: str | URL) -> URL:
    """Parse ``url``; a bare ``postgresql://`` URL means psycopg 3 (not psycopg2)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def make_engine(url: str | URL, *, pool_size: int = 10, max_overflow: int = 20) -> Engine:
    """An engine configured for the backend named by ``url``.

    The pool bounds how many transactions one process runs at once on PostgreSQL; race
    tests and benchmarks raise it so that each thread really has its own connection.
    """
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, pool_size, max_overflow)
    # No pre-ping (it costs a round trip on every checkout): a connection found dead raises
    # a disconnect error, which invalidates the whole pool (so one call per database
    # restart fails, with the plain TemporaryFailure message) and the next call gets
    # fresh connections; recycling retires long-idle ones first.
    return create_engine(
        parsed,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_recycle=1800,
        connect_args={"cursor_factory": LazyDescriptionCursor},
        # JSON read back from the database (every state row, every notice's payload):
        # orjson parses it about four times faster than the standard library
        json_deserializer=orjson.loads,
    )


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions whose objects stay readable after commit (they are translated right away)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def _sqlite_engine(url: URL, pool_size: int, max_overflow: int) -> Engine:
    engine = create_engine(
        url,
        connect_args={"timeout": 30, "check_same_thread": False},
        pool_size=pool_size,
        max_overflow=max_overflow,
    )
    is_file = url.database not in (None, "", ":memory:") and "mode=memory" not in str(url)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, see below
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            if is_file:
                cursor.execute("PRAGMA journal_mode=WAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
