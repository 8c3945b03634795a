"""Database fixtures shared by every test layer that needs a real database.

``database_url`` runs a test twice: on a fresh SQLite file and on PostgreSQL. Both schemas
come from ``alembic upgrade head`` (never ``create_all``), so the migrations are what is
tested. PostgreSQL gets one private schema per test run, emptied before every test.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from db.engine import make_engine, make_session_factory, normalize_url
from db.migrate import upgrade

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@dataclass(frozen=True)
class PostgresSchema:
    """A schema of our own on the test server; ``url`` points every connection at it."""

    url: str
    engine: Engine

    def truncate(self) -> None:
        """Empty every table but ``alembic_version``, so each test starts from zero rows."""
        with self.engine.begin() as connection:
            tables = connection.scalars(
                text(
                    "SELECT quote_ident(tablename) FROM pg_tables "
                    "WHERE schemaname = current_schema() AND tablename <> 'alembic_version'"
                )
            ).all()
            if tables:
                connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))


def _postgres_unavailable(url: str, error: Exception) -> NoReturn:
    message = f"PostgreSQL at {make_url(url)!r} is unreachable ({error.__class__.__name__})"
    if os.environ.get("CI", "").lower() in ("true", "1"):
        pytest.fail(f"{message}; CI must test PostgreSQL (see .ci/run)", pytrace=False)
    pytest.skip(f"{message}; set TEST_DATABASE_URL or start PostgreSQL")


@pytest.fixture(scope="session")
def postgres_schema() -> Iterator[PostgresSchema]:
    """A fresh, migrated schema ``mb_test_<pid>_<random>``, dropped when the run ends."""
    server = normalize_url(os.environ.get("TEST_DATABASE_URL", DEFAULT_POSTGRES_URL))
    admin = make_engine(server.update_query_dict({"connect_timeout": "5"}))
    schema = f"mb_test_{os.getpid()}_{secrets.token_hex(4)}"
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError as error:
        unreachable: OperationalError | None = error
    else:
        unreachable = None
    if unreachable is not None:  # outside the except block, so the report has no chained trace
        admin.dispose()
        _postgres_unavailable(server.render_as_string(), unreachable)
    url = server.update_query_dict({"options": f"-csearch_path={schema}"})
    rendered = url.render_as_string(hide_password=False)
    engine = make_engine(url)
    try:
        upgrade(rendered)
        yield PostgresSchema(url=rendered, engine=engine)
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _sqlite_url(directory: Path) -> str:
    """A freshly migrated SQLite file (migrating is fast enough to do per test)."""
    url = f"sqlite:///{directory / 'mentorbot.sqlite3'}"
    upgrade(url)
    return url


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """URL of an empty, fully migrated database; each test using it runs once per backend."""
    if request.param == "sqlite":
        return _sqlite_url(tmp_path)
    schema: PostgresSchema = request.getfixturevalue("postgres_schema")
    schema.truncate()
    return schema.url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine from ``db.engine.make_engine`` (the production settings), disposed after."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    """The production session factory bound to the test database."""
    return make_session_factory(engine)
