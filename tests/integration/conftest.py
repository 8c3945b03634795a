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
