"""Run Alembic from code, so the bot and the tests need no alembic.ini.

``alembic.ini`` at the repository root exists only for operators who prefer the
``alembic`` command; both point at the same ``migrations/`` package.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from importlib.resources import files

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, text
from sqlalchemy.engine import URL

from db.engine import make_engine, normalize_url


def alembic_config(url: str | URL) -> Config:
    """An Alembic configuration for ``url`` with the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", str(files("migrations")))
    config.set_main_option("path_separator", "os")
    rendered = normalize_url(url).render_as_string(hide_password=False)
    # The option is read through configparser, which treats "%" as interpolation.
    config.set_main_option("sqlalchemy.url", rendered.replace("%", "%%"))
    return config


# pg_advisory_lock's key for "migrating this database" (any constant shared by every
# process of the deployment; the bytes of "mentorbt" read as a signed 64-bit integer)
MIGRATION_LOCK_KEY = int.from_bytes(b"mentorbt", "big", signed=True)


@contextlib.contextmanager
def migration_lock(url: str | URL) -> Iterator[None]:
    """On PostgreSQL, hold a session advisory lock while migrating, so processes that
    start at once migrate one after the other; the later ones find the schema at head and
    do nothing. (Without it two ``CREATE TYPE``/``CREATE TABLE`` runs raced, and one
    failed with UniqueViolation on ``pg_type_typname_nsp_index``: issue 12.) The lock is
    held on its own connection and released when that connection closes, so a process
    that dies mid-way never leaves it held. SQLite needs none: its writes are serialized
    by the database file's lock."""
    if normalize_url(url).get_backend_name() != "postgresql":
        yield
        return
    engine = make_engine(url, pool_size=1, max_overflow=0)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            connection.commit()
            try:
                yield
            finally:
                with contextlib.suppress(Exception):  # closing the connection releases it too
                    connection.execute(
                        text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY}
                    )
                    connection.commit()
    finally:
        engine.dispose()


def upgrade(url: str | URL, revision: str = "head") -> None:
    """Bring the database at ``url`` to ``revision`` (creating the schema if empty),
    one process at a time (:func:`migration_lock`)."""
    with migration_lock(url):
        command.upgrade(alembic_config(url), revision)


def head_revision() -> str | None:
    """The newest revision the migrations know."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def revision_of(engine: Engine) -> str | None:
    """The revision the database behind ``engine`` is at (one short connection)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def current(url: str | URL) -> str | None:
    """The revision the database at ``url`` is at, or None if it was never migrated."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
