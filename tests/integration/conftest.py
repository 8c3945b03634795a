"""Helpers for integration tests that race real database transactions.

The database fixtures themselves (``database_url``, ``engine``, ``session_factory``) live in
``tests/conftest.py`` so that end-to-end tests can use them too.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import Engine

from db.models import Base
from tests.integration.helpers import dispose_engines

RaceOutcome = Any  # a call's return value, or the exception it raised


def _race(*calls: Callable[[], Any], timeout: float = 30.0) -> list[RaceOutcome]:
    """Start ``calls`` in threads released together by a barrier; return what each did.

    Exceptions are returned rather than raised, because in a race test the loser's
    exception (already claimed, limit reached) is the expected result.
    """
    barrier = threading.Barrier(len(calls))

    def released(call: Callable[[], Any]) -> Any:
        barrier.wait(timeout)
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(released, call) for call in calls]
        return [future.exception(timeout) or future.result() for future in futures]


@pytest.fixture
def run_concurrently() -> Callable[..., list[RaceOutcome]]:
    """``run_concurrently(f, g, ...)`` runs the callables at the same moment in threads."""
    return _race


@pytest.fixture(autouse=True)
def _dispose_context_engines() -> Any:
    """Close the pools of every context ``helpers.make_context`` opened during the test."""
    yield
    dispose_engines()


@pytest.fixture
def reset_database(
    request: pytest.FixtureRequest, database_url: str, engine: Engine
) -> Callable[[], None]:
    """A callable that empties the test database again (for one hypothesis example each).

    PostgreSQL uses the schema's ``TRUNCATE``; SQLite deletes the rows table by table,
    children first, which is much faster than migrating a new file.
    """
    if engine.dialect.name == "postgresql":
        return request.getfixturevalue("postgres_schema").truncate

    def wipe() -> None:
        with engine.begin() as connection:
            for table in reversed(Base.metadata.sorted_tables):
                connection.execute(table.delete())

    return wipe
