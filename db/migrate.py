"""Run Alembic from code, so the bot and the tests need no alembic.ini.

``alembic.ini`` at the repository root exists only for operators who prefer the
``alembic`` command; both point at the same ``migrations/`` package.
"""

from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
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


def upgrade(url: str | URL, revision: str = "head") -> None:
    """Bring the database at ``url`` to ``revision`` (creating the schema if empty)."""
    command.upgrade(alembic_config(url), revision)


def current(url: str | URL) -> str | None:
    """The revision the database at ``url`` is at, or None if it was never migrated."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
