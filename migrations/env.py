"""Alembic environment: where to connect and what the schema should look like.

The URL comes, in order, from a connection handed over in ``config.attributes["connection"]``
(tests, the CLI), the ``sqlalchemy.url`` option set in code by ``db.migrate``, or the
``DATABASE_URL`` environment variable (operators running ``alembic upgrade head``).
"""

from __future__ import annotations

import os
from logging.config import fileConfig
from typing import Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection

from db.engine import make_engine, normalize_url
from db.models import Base
from db.types import UTCDateTime

config = context.config
target_metadata = Base.metadata

if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _render_item(type_: str, obj: object, _context: AutogenContext) -> str | Literal[False]:
    """Write ``UTCDateTime`` as the plain column type it stores, so revisions need no db.*."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _database_url() -> str:
    url = config.get_main_option("sqlalchemy.url") or os.environ.get("DATABASE_URL")
    if not url:
        raise RuntimeError("no database URL: set DATABASE_URL or use db.migrate.upgrade(url)")
    return url


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        render_item=_render_item,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_on_sqlite(connection: Connection) -> None:
    """Migrate with foreign keys off, as SQLite's table-rebuild procedure requires.

    Batch mode rebuilds a table by copying and dropping it; with ``foreign_keys=ON`` the
    drop would cascade-delete the rows that point at it. The pragma is a no-op inside a
    transaction, so it is set on the raw driver connection before SQLAlchemy begins one.
    """
    driver = connection.connection.driver_connection
    assert driver is not None
    driver.execute("PRAGMA foreign_keys=OFF")
    try:
        _run(connection)
        broken = driver.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"migration left dangling foreign keys: {broken[:5]}")
    finally:
        driver.execute("PRAGMA foreign_keys=ON")


def _run_with(connection: Connection) -> None:
    if connection.dialect.name == "sqlite" and not connection.in_transaction():
        _run_on_sqlite(connection)
    else:
        _run(connection)


def run_migrations_online() -> None:
    given: Connection | None = config.attributes.get("connection")
    if given is not None:
        _run_with(given)
        return
    engine = make_engine(_database_url())
    try:
        with engine.connect() as connection:
            _run_with(connection)
    finally:
        engine.dispose()


def run_migrations_offline() -> None:
    """Emit the SQL instead of running it (``alembic upgrade head --sql``), for review."""
    url = normalize_url(_database_url())
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=url.get_backend_name() == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
