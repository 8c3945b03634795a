"""Running a service again when the database chose its transaction as a deadlock victim.

PostgreSQL ends one of two transactions that wait on each other (a deadlock, SQLSTATE
40P01) or that cannot be serialized (40001); the documented remedy is to run the whole
transaction again. The unit of work reports such an ending as :class:`ConflictFailure`
(a ``TemporaryFailure``: the person would see "busy"), and ``run_retrying`` runs the
service again, a bounded number of times, as long as nothing of it was committed yet
(a service that already committed one transaction is not run twice). Only when every try
failed does the "busy, try again" reach anyone.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

from core.errors import TemporaryFailure
from core.observe import observer

logger = logging.getLogger(__name__)
T = TypeVar("T")
MAX_ATTEMPTS = 5
BACKOFF_SECONDS = 0.02  # doubled each time, with full jitter: the two sides part ways

# commits made by the service under way (None: no retrying scope is open)
_commits: ContextVar[list[int] | None] = ContextVar("mentorbot_commits", default=None)


class ConflictFailure(TemporaryFailure):
    """A deadlock or serialization failure: the transaction was rolled back, and running
    it again will very likely succeed."""


def note_commit() -> None:
    """Called by the unit of work after each commit."""
    scope = _commits.get()
    if scope is not None:
        scope[0] += 1


def run_retrying(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)``, run again after a conflict that committed nothing."""
    if _commits.get() is not None:  # an outer scope retries the whole thing
        return fn(*args, **kwargs)
    attempt = 1
    while True:
        scope = [0]
        token = _commits.set(scope)
        try:
            return fn(*args, **kwargs)
        except ConflictFailure:
            if scope[0] or attempt >= MAX_ATTEMPTS:
                raise
            observer().transaction_retried()
            logger.info(
                "%s: deadlock or serialization failure, running it again (try %d)",
                getattr(fn, "__qualname__", "a transaction"),
                attempt + 1,
            )
        finally:
            _commits.reset(token)
        time.sleep(random.uniform(0, BACKOFF_SECONDS * 2**attempt))
        attempt += 1
