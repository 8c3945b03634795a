"""Fixtures for the delivery tests: an emptied PostgreSQL schema and worlds that close."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING

import pytest

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
