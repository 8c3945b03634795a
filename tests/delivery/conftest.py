"""Fixtures for the delivery tests: an emptied PostgreSQL schema and worlds that close."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING

import pytest

from db.migrate import upgrade
from tests.delivery.private_cluster import PrivateCluster, server_bin
from tests.support.delivery_world import START, World

if TYPE_CHECKING:
    from tests.conftest import PostgresSchema


@pytest.fixture
def pg_url(postgres_schema: PostgresSchema) -> str:
    """The run's PostgreSQL schema, emptied: for the tests that only make sense there."""
    postgres_schema.truncate()
    return postgres_schema.url


@pytest.fixture
def open_world() -> Iterator[Callable[..., World]]:
    """``open_world(url, start)``: a World whose engine is disposed after the test."""
    opened: list[World] = []

    def make(url: str, start: datetime = START, pool_size: int = 5) -> World:
        world = World.open(url, start, pool_size)
        opened.append(world)
        return world

    yield make
    for world in opened:
        world.close()


@pytest.fixture
def cluster() -> Iterator[PrivateCluster]:
    bin_dir = server_bin()
    if bin_dir is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but no PostgreSQL server programs (initdb) are installed")
        pytest.skip("no PostgreSQL server programs (initdb) on this machine")
    made = PrivateCluster.create(bin_dir)
    try:
        upgrade(made.url)
        yield made
    finally:
        made.destroy()
